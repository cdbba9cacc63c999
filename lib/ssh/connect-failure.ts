// Maps what ssh2 and the socket report into SshError codes. Pure, so every branch is
// unit-tested without a network; session.ts feeds it the raw error plus what it saw.
import { SshError, sshErrors, type SshTarget } from "./errors";

export type HostKeyVerdict = { kind: "unknown"; offered: string; keyType?: string } | { kind: "changed"; offered: string; pinned: string };

export type ConnectContext = {
  target: SshTarget;
  username: string;
  credential: "key" | "password";
  connectTimeoutMs: number;
  /** Set by the host verifier when it refused the key; wins over whatever ssh2 says next. */
  hostKey: HostKeyVerdict | null;
  /** Whether the session had become ready (then any failure is a drop, not a connect error). */
  ready: boolean;
};

type RawError = { code?: unknown; level?: unknown; message?: unknown };

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: "connection refused (nothing listens on that port)",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "the network is unreachable from Gatewarden",
  EADDRNOTAVAIL: "the address is not usable from Gatewarden",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved right now",
};

export function classifyConnectFailure(error: unknown, ctx: ConnectContext): SshError {
  if (error instanceof SshError) return error;
  const { target } = ctx;
  if (ctx.hostKey?.kind === "unknown") return sshErrors.hostKeyUnknown(target, ctx.hostKey.offered, ctx.hostKey.keyType);
  if (ctx.hostKey?.kind === "changed") {
    return sshErrors.hostKeyChanged(target, ctx.hostKey.offered, ctx.hostKey.pinned);
  }
  const raw = (typeof error === "object" && error !== null ? error : {}) as RawError;
  const code = typeof raw.code === "string" ? raw.code : "";
  const level = typeof raw.level === "string" ? raw.level : "";
  const message = typeof raw.message === "string" ? raw.message : String(error);

  if (ctx.ready) {
    const during = level === "client-timeout" ? "mid-session (the gateway stopped answering keepalives)" : "mid-session";
    return sshErrors.connectionLost(target, during, error);
  }
  if (level === "client-authentication") return sshErrors.authFailed(target, ctx.username, ctx.credential, error);
  if (level === "client-timeout" || code === "ETIMEDOUT") {
    return sshErrors.connectTimeout(target, ctx.connectTimeoutMs, error);
  }
  const why = UNREACHABLE[code];
  if (why) return sshErrors.unreachable(target, why, error);
  if (level === "handshake" || level === "protocol") {
    // e.g. "no matching key exchange algorithm": ssh2's text is specific and secret-free.
    return sshErrors.connectionLost(target, `during the SSH handshake (${message})`, error);
  }
  return sshErrors.connectionLost(target, "before the session was ready", error);
}
