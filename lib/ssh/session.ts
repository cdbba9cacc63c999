// SSH sessions to gateways, with the host key pinned: a gateway whose key is not the pinned
// one (or that has none pinned) is refused inside the key exchange, before any credential
// is sent. probeHostKey is the one way to learn a new key, for an admin to accept. Both
// dial only an address the target policy allows (target-policy.ts: not this server).
import ssh2, { type Client, type ConnectConfig, type SFTPWrapper } from "ssh2";
import { assertSafeArgv } from "./argv";
import { classifyConnectFailure, type ConnectContext } from "./connect-failure";
import { isSshError, sshErrors, type SshError, type SshTarget } from "./errors";
import { runCommand, type ExecOptions, type ExecResult } from "./exec";
import { fingerprintOf, keyTypeOf, normalizeFingerprint } from "./host-key";
import * as files from "./sftp-files";
import { addressToDial } from "./target-policy";
import { KeyedSlots } from "@/lib/jobs/concurrency";

export type SshCredential = { type: "key"; privateKey: string } | { type: "password"; password: string };

export type OpenSessionOptions = {
  host: string;
  port: number;
  username: string;
  credential: SshCredential;
  pinnedFingerprint: string | null;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
};

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_KEEPALIVE_MS = 15_000;
/**
 * Commands running at once on one session. OpenSSH refuses a channel beyond MaxSessions
 * (10 by default; the SFTP channel is one of them): more commands than this wait for a
 * channel in order rather than fail with "Channel open failure". A command's timeout
 * starts when it gets its channel. The margin below 10 is for sshd, which counts a closed
 * channel's session until it has processed the close; an open refused all the same (no
 * command ran) is tried again after a short wait.
 */
export const MAX_EXEC_CHANNELS = 6;
/** sshd frees a session slot a moment after the channel closes: a refused open is tried again this often. */
const CHANNEL_OPEN_TRIES = 4;
const isChannelRefused = (e: unknown) => isSshError(e, "command-failed") && /Channel open failure/i.test((e as Error).message);

export class SshSession {
  lastUsedAt = Date.now();
  private alive = true;
  private lastError: unknown;
  private sftpChannel: Promise<SFTPWrapper> | undefined;
  /** Exec channels in use, one key: FIFO, at most MAX_EXEC_CHANNELS. */
  private readonly channels = new KeyedSlots(() => MAX_EXEC_CHANNELS);
  private stopSignal: AbortSignal | undefined;
  private readonly lost: Promise<never>;
  private readonly closed: Promise<void>;

  constructor(
    private readonly client: Client,
    readonly target: SshTarget,
  ) {
    let markLost!: (e: SshError) => void;
    this.lost = new Promise<never>((_, reject) => (markLost = reject));
    this.lost.catch(() => {}); // observed only by operations in flight
    this.closed = new Promise((resolve) => {
      client.on("error", (err) => (this.lastError ??= err));
      client.once("close", () => {
        this.alive = false;
        markLost(sshErrors.connectionLost(target, "mid-session", this.lastError));
        resolve();
      });
    });
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /**
   * From the moment the signal aborts, every further command or file operation fails
   * with its reason, without reaching the router (one already running completes). A job
   * whose progress can no longer be recorded stops touching routers this way.
   */
  stopWhen(signal: AbortSignal): this {
    this.stopSignal = signal;
    return this;
  }

  async exec(argv: string[], opts?: ExecOptions): Promise<ExecResult> {
    assertSafeArgv(argv); // a bug in the caller is reported as such, even on a dead session
    return this.guard(`running ${argv[0] ?? "a command"}`, () =>
      this.channels.run("exec", async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await runCommand(this.client, this.target, argv, opts);
          } catch (e) {
            if (!isChannelRefused(e) || attempt >= CHANNEL_OPEN_TRIES || !this.alive) throw e;
            await new Promise((r) => setTimeout(r, 100 * attempt));
          }
        }
      }),
    );
  }

  uploadFile(req: files.UploadRequest): Promise<void> {
    return this.guard(`uploading ${req.path}`, async () => files.uploadFile(await this.sftp(), this.target, req));
  }

  readFile(path: string): Promise<string | null> {
    return this.guard(`reading ${path}`, async () => files.readFile(await this.sftp(), this.target, path));
  }

  homeDir(): Promise<string> {
    return this.guard("resolving the home directory", async () => files.homeDir(await this.sftp(), this.target));
  }

  statFile(path: string): Promise<files.FileStat | null> {
    return this.guard(`inspecting ${path}`, async () => files.statFile(await this.sftp(), this.target, path));
  }

  removeFile(path: string): Promise<void> {
    return this.guard(`removing ${path}`, async () => files.removeFile(await this.sftp(), this.target, path));
  }

  ensureDir(path: string, mode: number): Promise<void> {
    return this.guard(`creating ${path}`, async () => files.ensureDir(await this.sftp(), this.target, path, mode));
  }

  async close(): Promise<void> {
    if (this.alive) this.client.end();
    // A router that stopped answering never acknowledges the end, and ssh2's destroy() does
    // nothing once end() made the socket unwritable: the socket itself is destroyed then.
    const forced = setTimeout(() => {
      this.client.destroy();
      (this.client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
    }, 2_000);
    await this.closed;
    clearTimeout(forced);
  }

  /** Races the work against the connection dropping, so no caller waits on a dead socket. */
  private async guard<T>(during: string, work: () => Promise<T>): Promise<T> {
    this.stopSignal?.throwIfAborted();
    if (!this.alive) throw sshErrors.connectionLost(this.target, `before ${during}`, this.lastError);
    this.lastUsedAt = Date.now();
    try {
      return await Promise.race([work(), this.lost]);
    } catch (err) {
      if (isSshError(err, "unsafe-argument")) throw err;
      // A failure is often the first sign of a drop; the close event follows within moments.
      if (this.alive && (isSshError(err, "sftp-failed") || isSshError(err, "command-failed") || !isSshError(err))) {
        await Promise.race([this.closed, new Promise((r) => setTimeout(r, 50))]);
      }
      if (!this.alive) throw sshErrors.connectionLost(this.target, `while ${during}`, err);
      throw err;
    } finally {
      this.lastUsedAt = Date.now();
    }
  }

  private sftp(): Promise<SFTPWrapper> {
    if (!this.sftpChannel) {
      this.sftpChannel = new Promise<SFTPWrapper>((resolve, reject) =>
        this.client.sftp((err, sftp) => {
          if (err) return reject(sshErrors.sftpFailed(this.target, "start SFTP for", "file transfers", err.message, err));
          sftp.once("close", () => (this.sftpChannel = undefined));
          resolve(sftp);
        }),
      );
      this.sftpChannel.catch(() => (this.sftpChannel = undefined));
    }
    return this.sftpChannel;
  }
}

export async function openSession(opts: OpenSessionOptions): Promise<SshSession> {
  const target = { host: opts.host, port: opts.port };
  const pinned = opts.pinnedFingerprint === null ? null : normalizeFingerprint(opts.pinnedFingerprint);
  const ctx: ConnectContext = {
    target,
    username: opts.username,
    credential: opts.credential.type,
    connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    hostKey: null,
    ready: false,
  };
  const config: ConnectConfig = {
    host: await addressToDial(target),
    port: opts.port,
    username: opts.username,
    readyTimeout: ctx.connectTimeoutMs,
    keepaliveInterval: opts.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
    keepaliveCountMax: 3,
    tryKeyboard: false,
    hostVerifier: (key: Buffer) => {
      const offered = fingerprintOf(key);
      if (pinned === null) ctx.hostKey = { kind: "unknown", offered, keyType: keyTypeOf(key) };
      else if (offered !== pinned) ctx.hostKey = { kind: "changed", offered, pinned };
      return ctx.hostKey === null;
    },
    ...(opts.credential.type === "key" ? { privateKey: opts.credential.privateKey } : { password: opts.credential.password }),
  };
  return connect(config, ctx, (client) => new SshSession(client, target));
}

/** The fingerprint the gateway offers, without authenticating (for the first-contact screen). */
export async function probeHostKey(opts: { host: string; port: number; timeoutMs?: number }): Promise<string> {
  const ctx: ConnectContext = {
    target: { host: opts.host, port: opts.port },
    username: "gatewarden-probe",
    credential: "key",
    connectTimeoutMs: opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    hostKey: null,
    ready: false,
  };
  let offered: string | null = null;
  const config: ConnectConfig = {
    host: await addressToDial(ctx.target),
    port: opts.port,
    username: ctx.username,
    readyTimeout: ctx.connectTimeoutMs,
    hostVerifier: (key: Buffer) => {
      offered = fingerprintOf(key);
      return false; // stop inside the key exchange: nothing is ever authenticated
    },
  };
  try {
    await connect(config, ctx, (client) => client.end());
  } catch (err) {
    if (offered !== null) return offered;
    throw err;
  }
  throw sshErrors.connectionLost(ctx.target, "after the key exchange without showing a host key");
}

function connect<T>(config: ConnectConfig, ctx: ConnectContext, onReady: (client: Client) => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const client = new ssh2.Client();
    let lastError: unknown;
    // The first error is the cause; ssh2 follows e.g. a timeout with "Connection lost before handshake".
    client.on("error", (err) => (lastError ??= err));
    client.once("ready", () => {
      ctx.ready = true;
      resolve(onReady(client));
    });
    client.once("close", () => {
      if (!ctx.ready) reject(classifyConnectFailure(lastError ?? new Error("connection closed"), ctx));
    });
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously on a key it cannot parse; its message never quotes the key.
      client.destroy();
      reject(ctx.credential === "key" ? sshErrors.unusableKey(ctx.target, ctx.username, err) : classifyConnectFailure(err, ctx));
    }
  });
}
