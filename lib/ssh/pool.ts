// Shares SSH sessions between jobs: one live session per gateway, reopened when its pinned
// key or credential changes or it died, closed after sitting idle; and a global bound on
// how many pieces of work use SSH at once, so a fleet-wide poll cannot open 500 sessions.
import { createHash } from "node:crypto";
import { openSession, type OpenSessionOptions, type SshSession } from "./session";

export type PoolTarget = { key: string /* gateway id */; options: OpenSessionOptions };
export type SessionOpener = (options: OpenSessionOptions) => Promise<SshSession>;
export type SshPoolOptions = { maxConcurrent: number; idleMs: number; open?: SessionOpener };

type Entry = {
  key: string;
  identity: string;
  session: Promise<SshSession>;
  current?: SshSession;
  users: number;
  idleTimer?: ReturnType<typeof setTimeout>;
};
type Waiter = { go: () => void; fail: (e: Error) => void };

/** What makes a session reusable: same endpoint, user, pin and credential (hashed, not kept). */
function identityOf(o: OpenSessionOptions): string {
  const secret = o.credential.type === "key" ? o.credential.privateKey : o.credential.password;
  const parts = [o.host, o.port, o.username, o.pinnedFingerprint ?? "", o.credential.type, secret];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private readonly retired = new Set<Entry>();
  private readonly waiters: Waiter[] = [];
  private running = 0;
  private closed = false;
  private readonly open: SessionOpener;

  constructor(private readonly opts: SshPoolOptions) {
    if (!Number.isInteger(opts.maxConcurrent) || opts.maxConcurrent < 1) throw new Error("maxConcurrent must be ≥ 1");
    this.open = opts.open ?? openSession;
  }

  get stats() {
    return { sessions: this.entries.size, running: this.running, queued: this.waiters.length };
  }

  /** Runs fn with the gateway's session once a slot is free; SshErrors from opening reach the caller. */
  async withSession<T>(target: PoolTarget, fn: (session: SshSession) => Promise<T>): Promise<T> {
    await this.acquireSlot();
    let entry: Entry | undefined;
    try {
      entry = this.checkout(target);
      return await fn(await entry.session);
    } finally {
      if (entry) this.checkin(entry);
      this.releaseSlot();
    }
  }

  /** The gateway has a session open right now (not one still being opened) for these options (same pin and credential). */
  hasLive(target: PoolTarget): boolean {
    const entry = this.entries.get(target.key);
    return entry?.current !== undefined && entry.current.isAlive && entry.identity === identityOf(target.options);
  }

  /**
   * Opens a NEW session to the gateway (a fresh TCP connection, key exchange and login: what a
   * job would do) and, once it is up, puts it in place of the pooled one, which is closed when
   * its users are done. On failure the pooled session, if any, stays as it was and the SshError
   * reaches the caller: an old session can outlive the router's sshd listener, host key and
   * authorized_keys, so only a fresh one proves the gateway can still be managed.
   */
  async refresh(target: PoolTarget): Promise<void> {
    await this.acquireSlot();
    try {
      const session = await this.open(target.options);
      if (this.closed) {
        await session.close().catch(() => {});
        return;
      }
      const old = this.entries.get(target.key);
      if (old) {
        clearTimeout(old.idleTimer);
        this.retire(old);
      }
      const entry: Entry = {
        key: target.key,
        identity: identityOf(target.options),
        users: 0,
        session: Promise.resolve(session),
        current: session,
      };
      this.entries.set(target.key, entry);
      // Idle from the start, like a session whose last user just left.
      entry.users = 1;
      this.checkin(entry);
    } finally {
      this.releaseSlot();
    }
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.fail(new Error("The SSH pool was shut down before this work could start"));
    const all = [...this.entries.values(), ...this.retired];
    this.entries.clear();
    this.retired.clear();
    await Promise.all(all.map((e) => this.closeEntry(e)));
  }

  private checkout(target: PoolTarget): Entry {
    const identity = identityOf(target.options);
    let entry = this.entries.get(target.key);
    const dead = entry?.current !== undefined && !entry.current.isAlive;
    if (entry && (entry.identity !== identity || dead)) {
      this.entries.delete(target.key);
      this.retire(entry);
      entry = undefined;
    }
    if (!entry) {
      const created: Entry = { key: target.key, identity, users: 0, session: this.open(target.options) };
      created.session.then(
        (s) => (created.current = s),
        // A failed open is not cached: the next call tries again (e.g. after a key was accepted).
        () => this.entries.get(target.key) === created && this.entries.delete(target.key),
      );
      this.entries.set(target.key, created);
      entry = created;
    }
    entry.users++;
    clearTimeout(entry.idleTimer);
    return entry;
  }

  private checkin(entry: Entry): void {
    entry.users--;
    if (entry.users > 0) return;
    if (this.retired.has(entry) || this.closed) {
      this.retired.delete(entry);
      void this.closeEntry(entry);
      return;
    }
    entry.idleTimer = setTimeout(() => {
      if (entry.users === 0 && this.entries.get(entry.key) === entry) {
        this.entries.delete(entry.key);
        void this.closeEntry(entry);
      }
    }, this.opts.idleMs);
    entry.idleTimer.unref?.();
  }

  /** A replaced session still in use by other work is closed when that work finishes. */
  private retire(entry: Entry): void {
    if (entry.users === 0) void this.closeEntry(entry);
    else this.retired.add(entry);
  }

  private async closeEntry(entry: Entry): Promise<void> {
    clearTimeout(entry.idleTimer);
    const session = await entry.session.catch(() => null);
    await session?.close().catch(() => {});
  }

  private acquireSlot(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("The SSH pool is shut down"));
    if (this.running < this.opts.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((go, fail) => this.waiters.push({ go, fail }));
  }

  /** Hands the slot straight to the next waiter (FIFO), so a burst cannot overtake the queue. */
  private releaseSlot(): void {
    const next = this.waiters.shift();
    if (next) next.go();
    else this.running--;
  }
}
