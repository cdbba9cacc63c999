// Expected SSH failures as one typed error: a stable code for callers (deploy, health,
// the first-contact screen) and a message an admin can act on. Messages name the
// gateway, the user, paths and fingerprints — never a key, password, PSK or argument value.
import { AppError } from "@/lib/errors";
import { hostKeyFileFor } from "./host-key";

export type SshErrorCode =
  | "unreachable"
  | "target-refused"
  | "timeout"
  | "host-key-unknown"
  | "host-key-changed"
  | "auth-failed"
  | "connection-lost"
  | "command-failed"
  | "unsafe-argument"
  | "sftp-failed";

export type SshTarget = { host: string; port: number };

export class SshError extends AppError {
  declare readonly code: SshErrorCode;
  readonly offeredFingerprint?: string;
  readonly pinnedFingerprint?: string;
  /** An upload failed before it could replace the target: the file on the router is surely as it was. */
  readonly fileUnchanged?: boolean;

  constructor(
    code: SshErrorCode,
    userMessage: string,
    extra: { offeredFingerprint?: string; pinnedFingerprint?: string; cause?: unknown; fileUnchanged?: boolean } = {},
  ) {
    super(code, userMessage);
    this.name = "SshError";
    if (extra.offeredFingerprint) this.offeredFingerprint = extra.offeredFingerprint;
    if (extra.pinnedFingerprint) this.pinnedFingerprint = extra.pinnedFingerprint;
    if (extra.fileUnchanged) this.fileUnchanged = true;
    // The cause is an ssh2/socket error (no secrets in those); it helps the server log.
    if (extra.cause !== undefined) this.cause = extra.cause;
  }
}

export const isSshError = (e: unknown, code?: SshErrorCode): e is SshError =>
  e instanceof SshError && (code === undefined || e.code === code);

const where = (t: SshTarget) => `${t.host} port ${t.port}`;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export const sshErrors = {
  unreachable: (t: SshTarget, why: string, cause?: unknown) =>
    new SshError(
      "unreachable",
      `Could not reach the gateway at ${where(t)}: ${why}. Check the SSH address and port on the gateway page, that sshd runs on the router and that no firewall blocks it.`,
      { cause },
    ),

  targetRefused: (t: SshTarget, problem: string) =>
    new SshError(
      "target-refused",
      `Refused to connect to ${where(t)}: ${problem}. Nothing was sent. Enter the gateway's own address on the gateway page.`,
    ),

  connectTimeout: (t: SshTarget, ms: number, cause?: unknown) =>
    new SshError(
      "timeout",
      `The gateway at ${where(t)} did not complete the SSH handshake within ${seconds(ms)}. Check that the router is up and the address is right; a firewall that silently drops packets looks like this.`,
      { cause },
    ),

  commandTimeout: (t: SshTarget, command: string, ms: number) =>
    new SshError(
      "timeout",
      `"${command}" did not finish within ${seconds(ms)} on ${where(t)} and was stopped. The router may be overloaded or the command may be waiting for input; check the router, then retry.`,
    ),

  hostKeyUnknown: (t: SshTarget, offered: string, keyType = "unknown") =>
    new SshError(
      "host-key-unknown",
      `Refused before authenticating: ${where(t)} offered the ${keyType} host key ${offered}, and no key is pinned for this gateway yet. Compare it with the router's own fingerprint (on its console: ssh-keygen -lf ${hostKeyFileFor(keyType)}), then accept it on the gateway page.`,
      { offeredFingerprint: offered },
    ),

  hostKeyChanged: (t: SshTarget, offered: string, pinned: string) =>
    new SshError(
      "host-key-changed",
      `Refused before authenticating: the gateway at ${where(t)} offered ${offered} but ${pinned} is pinned. If the router was reinstalled, accept the new key on the gateway page; otherwise this may be an attack.`,
      { offeredFingerprint: offered, pinnedFingerprint: pinned },
    ),

  authFailed: (t: SshTarget, username: string, credential: "key" | "password", cause?: unknown) =>
    new SshError(
      "auth-failed",
      credential === "key"
        ? `The gateway at ${where(t)} refused the SSH key for user "${username}". Check the user name, and that the key's public half is in that user's authorized_keys on the router.`
        : `The gateway at ${where(t)} refused the password for user "${username}". Check the user name and password on the gateway page, and that the router allows password logins.`,
      { cause },
    ),

  unusableKey: (t: SshTarget, username: string, cause?: unknown) =>
    new SshError(
      "auth-failed",
      `The SSH key stored for user "${username}" on ${where(t)} cannot be used (it is not a private key ssh2 can read, or it needs a passphrase). Paste the unencrypted private key again on the gateway page.`,
      { cause },
    ),

  connectionLost: (t: SshTarget, during: string, cause?: unknown) =>
    new SshError(
      "connection-lost",
      `The SSH connection to ${where(t)} dropped ${during}. That step may be incomplete on the router; retry once the gateway is reachable again.`,
      { cause },
    ),

  commandFailed: (t: SshTarget, command: string, detail: string, cause?: unknown) =>
    new SshError(
      "command-failed",
      `Could not run "${command}" on ${where(t)}: ${detail}. Check the router's sshd limits (MaxSessions) and that the command exists there.`,
      { cause },
    ),

  unsafeArgument: (index: number, reason: string) =>
    new SshError(
      "unsafe-argument",
      `Refused to send a command: argument ${index + 1} ${reason}. Nothing was sent to the gateway; this is a bug in Gatewarden, please report it.`,
    ),

  sftpFailed: (t: SshTarget, action: string, path: string, detail: string, cause?: unknown, fileUnchanged = false) =>
    new SshError(
      "sftp-failed",
      `Could not ${action} ${path} on ${where(t)}: ${detail}. Check that the directory exists and is writable for the SSH user, and that the disk is not full.`,
      { cause, fileUnchanged },
    ),
};
