import { describe, expect, it } from "vitest";
import type { RouterIO } from "@/lib/deploy/router-io";
import { SessionCache } from "./session-cache";

function fakeIo(name: string, log: string[]): RouterIO & { kill(): void; name: string } {
  let alive = true;
  return {
    name,
    exec: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
    readFile: async () => null,
    uploadFile: async () => undefined,
    removeFile: async () => undefined,
    ensureDir: async () => undefined,
    get isAlive() {
      return alive;
    },
    kill: () => void (alive = false),
    close: () => {
      alive = false;
      log.push(`close ${name}`);
    },
  };
}

describe("SessionCache", () => {
  it("opens one session per gateway, however many ask at once", async () => {
    const log: string[] = [];
    let n = 0;
    const cache = new SessionCache(async (g) => (log.push(`open ${g}`), fakeIo(`${g}#${++n}`, log)));
    const ios = await Promise.all([cache.io("hub"), cache.io("hub"), cache.io("s1"), cache.io("hub")]);
    expect(new Set(ios.map((io) => (io as ReturnType<typeof fakeIo>).name))).toEqual(new Set(["hub#1", "s1#2"]));
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
    const first = (await cache.io("hub")) as ReturnType<typeof fakeIo>;
    first.kill();
    const second = (await cache.io("hub")) as ReturnType<typeof fakeIo>;
    expect(second.name).toBe("hub#2");
    await expect(cache.io("down")).rejects.toThrow("connect refused");
    fail = false;
    expect(((await cache.io("down")) as ReturnType<typeof fakeIo>).name).toBe("down#3");
  });
});
