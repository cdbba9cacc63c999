import { describe, expect, it } from "vitest";
import { fakeRouterIO as fakeIo, type FakeRouterIO } from "@/lib/deploy/test-support/fake-router-io";
import { SessionCache } from "./session-cache";

describe("SessionCache", () => {
  it("opens one session per gateway, however many ask at once", async () => {
    const log: string[] = [];
    let n = 0;
    const cache = new SessionCache(async (g) => (log.push(`open ${g}`), fakeIo(`${g}#${++n}`, log)));
    const ios = await Promise.all([cache.io("hub"), cache.io("hub"), cache.io("s1"), cache.io("hub")]);
    expect(new Set(ios.map((io) => (io as FakeRouterIO).name))).toEqual(new Set(["hub#1", "s1#2"]));
    expect(log).toEqual(["open hub", "open s1"]);
    await cache.closeAll();
    expect(log.slice(2).sort()).toEqual(["close hub#1", "close s1#2"]);
    expect(cache.openCount).toBe(0);
  });
  it("replaces a dead session and retries a failed connect", async () => {
    const log: string[] = [];
    let n = 0;
    let fail = true;
    const cache = new SessionCache(async (g) => {
      if (g === "down" && fail) throw new Error("connect refused");
      return fakeIo(`${g}#${++n}`, log);
    });
    const first = (await cache.io("hub")) as FakeRouterIO;
    first.kill();
    const second = (await cache.io("hub")) as FakeRouterIO;
    expect(second.name).toBe("hub#2");
    await expect(cache.io("down")).rejects.toThrow("connect refused");
    fail = false;
    expect(((await cache.io("down")) as FakeRouterIO).name).toBe("down#3");
  });
});
