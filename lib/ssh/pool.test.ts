import { afterEach, describe, expect, it, vi } from "vitest";
import { SshPool, type PoolTarget } from "./pool";
import type { OpenSessionOptions, SshSession } from "./session";

type Fake = { id: number; isAlive: boolean; closed: boolean; close(): Promise<void> };

/** An opener that hands out fake sessions and records what it was asked to open. */
function fakeOpener(fail?: (o: OpenSessionOptions) => Error | undefined) {
  const opened: Fake[] = [];
  const open = vi.fn(async (o: OpenSessionOptions) => {
    const e = fail?.(o);
    if (e) throw e;
    const s: Fake = {
      id: opened.length + 1,
      isAlive: true,
      closed: false,
      close: async () => {
        s.closed = true;
        s.isAlive = false;
      },
    };
    opened.push(s);
    return s as unknown as SshSession;
  });
  return { open, opened };
}

const target = (key: string, over: Partial<OpenSessionOptions> = {}): PoolTarget => ({
  key,
  options: {
    host: "198.18.0.1",
    port: 22,
    username: "root",
    credential: { type: "key", privateKey: "KEY-A" },
    pinnedFingerprint: "SHA256:aaa",
    ...over,
  },
});
const idOf = (s: SshSession) => (s as unknown as Fake).id;
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
const tick = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => vi.useRealTimers());

describe("SshPool", () => {
  it("reuses one session per gateway for calls in a row and at once", async () => {
    const { open } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 4, idleMs: 60_000, open });
    const ids = [await pool.withSession(target("gw1"), async (s) => idOf(s))];
    ids.push(...(await Promise.all([1, 2].map(() => pool.withSession(target("gw1"), async (s) => idOf(s))))));
    expect(ids).toEqual([1, 1, 1]);
    expect(open).toHaveBeenCalledTimes(1);
    await pool.withSession(target("gw2"), async () => {});
    expect(open).toHaveBeenCalledTimes(2);
    await pool.closeAll();
  });

  it.each([
    ["the pinned fingerprint", { pinnedFingerprint: "SHA256:bbb" }],
    ["the credential", { credential: { type: "password", password: "pw" } as const }],
    ["the key", { credential: { type: "key", privateKey: "KEY-B" } as const }],
    ["the port", { port: 2222 }],
  ])("reconnects when %s changes and closes the old session", async (_what, over) => {
    const { open, opened } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 2, idleMs: 60_000, open });
    await pool.withSession(target("gw1"), async () => {});
    expect(await pool.withSession(target("gw1", over), async (s) => idOf(s))).toBe(2);
    expect(opened[0]!.closed).toBe(true);
    await pool.closeAll();
  });

  it("reconnects when the session died", async () => {
    const { opened, open } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 2, idleMs: 60_000, open });
    await pool.withSession(target("gw1"), async () => {});
    opened[0]!.isAlive = false;
    expect(await pool.withSession(target("gw1"), async (s) => idOf(s))).toBe(2);
    await pool.closeAll();
  });

  it("keeps a replaced session open until the work using it ends", async () => {
    const { opened, open } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 2, idleMs: 60_000, open });
    const hold = deferred();
    const first = pool.withSession(target("gw1"), () => hold.promise);
    await tick();
    await pool.withSession(target("gw1", { pinnedFingerprint: "SHA256:new" }), async () => {});
    expect(opened[0]!.closed).toBe(false);
    hold.resolve();
    await first;
    await tick();
    expect(opened[0]!.closed).toBe(true);
    await pool.closeAll();
  });

  it("runs at most maxConcurrent at once across gateways and queues the rest in order", async () => {
    const { open } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 2, idleMs: 60_000, open });
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = gates.map((g, i) =>
      pool.withSession(target(`gw${i}`), async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await g.promise;
        running--;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(pool.stats).toMatchObject({ running: 2, queued: 4 });
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((g) => g.resolve());
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(pool.stats).toMatchObject({ running: 0, queued: 0 });
    await pool.closeAll();
  });

  it("frees the slot and retries the next time when opening fails", async () => {
    let refuse = true;
    const { open } = fakeOpener(() => (refuse ? new Error("host-key-unknown") : undefined));
    const pool = new SshPool({ maxConcurrent: 1, idleMs: 60_000, open });
    await expect(pool.withSession(target("gw1"), async () => 1)).rejects.toThrow("host-key-unknown");
    refuse = false;
    expect(await pool.withSession(target("gw1"), async () => 1)).toBe(1);
    expect(open).toHaveBeenCalledTimes(2);
    await pool.closeAll();
  });

  it("frees the slot when the work throws", async () => {
    const { open } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 1, idleMs: 60_000, open });
    await expect(pool.withSession(target("gw1"), async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await pool.withSession(target("gw1"), async () => "ok")).toBe("ok");
    await pool.closeAll();
  });

  it("closes a session that sat idle for idleMs, and not one in use", async () => {
    vi.useFakeTimers();
    const { opened, open } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 2, idleMs: 1_000, open });
    await pool.withSession(target("gw1"), async () => {});
    await vi.advanceTimersByTimeAsync(900);
    await pool.withSession(target("gw1"), async () => {}); // used again: the idle clock restarts
    await vi.advanceTimersByTimeAsync(900);
    expect(opened[0]!.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(opened[0]!.closed).toBe(true);
    expect(pool.stats.sessions).toBe(0);
    await pool.withSession(target("gw1"), async () => {});
    expect(open).toHaveBeenCalledTimes(2);
    await pool.closeAll();
  });

  it("closeAll closes every session and refuses queued and later work", async () => {
    const { opened, open } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 1, idleMs: 60_000, open });
    const hold = deferred();
    const running = pool.withSession(target("gw1"), () => hold.promise);
    const queued = pool.withSession(target("gw2"), async () => {});
    await tick();
    await pool.closeAll();
    await expect(queued).rejects.toThrow(/shut down/);
    expect(opened[0]!.closed).toBe(true);
    hold.resolve();
    await running;
    await expect(pool.withSession(target("gw1"), async () => {})).rejects.toThrow(/shut down/);
  });

  it("refresh opens a new session and puts it in place; the old one closes when its user is done", async () => {
    const { open, opened } = fakeOpener();
    const pool = new SshPool({ maxConcurrent: 4, idleMs: 60_000, open });
    await pool.withSession(target("gw1"), async () => {});
    const busy = deferred();
    const using = pool.withSession(target("gw1"), async (s) => (await busy.promise, idOf(s)));
    await tick();
    await pool.refresh(target("gw1"));
    expect(open).toHaveBeenCalledTimes(2);
    expect(opened[0]!.closed).toBe(false); // still in use
    expect(await pool.withSession(target("gw1"), async (s) => idOf(s))).toBe(2);
    busy.resolve();
    expect(await using).toBe(1);
    await tick();
    expect(opened[0]!.closed).toBe(true);
    expect(pool.hasLive(target("gw1"))).toBe(true);
    // A new pin or credential needs a new session.
    expect(pool.hasLive(target("gw1", { pinnedFingerprint: "SHA256:bbb" }))).toBe(false);
    await pool.closeAll();
  });

  it("a refresh that fails leaves the pooled session in place and reports the error", async () => {
    let refuse = false;
    const { open } = fakeOpener(() => (refuse ? new Error("refused") : undefined));
    const pool = new SshPool({ maxConcurrent: 4, idleMs: 60_000, open });
    await pool.withSession(target("gw1"), async () => {});
    refuse = true;
    await expect(pool.refresh(target("gw1"))).rejects.toThrow("refused");
    expect(pool.hasLive(target("gw1"))).toBe(true);
    expect(await pool.withSession(target("gw1"), async (s) => idOf(s))).toBe(1);
    expect(pool.hasLive(target("gw2"))).toBe(false);
    await pool.closeAll();
  });
});
