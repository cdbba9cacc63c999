import { describe, expect, it } from "vitest";
import { KeyedSlots, mapBounded, waitAtMost } from "./concurrency";

const tick = (ms = 2) => new Promise((r) => setTimeout(r, ms));

describe("KeyedSlots", () => {
  it("runs at most capacity(key) at once per key, other keys independently, all to the end", async () => {
    const slots = new KeyedSlots((k) => (k === "strong" ? 3 : 1));
    const now = new Map<string, number>();
    const peak = new Map<string, number>();
    const order: string[] = [];
    const task = (key: string, i: number) =>
      slots.run(key, async () => {
        now.set(key, (now.get(key) ?? 0) + 1);
        peak.set(key, Math.max(peak.get(key) ?? 0, now.get(key)!));
        await tick(1 + (i % 3));
        now.set(key, now.get(key)! - 1);
        order.push(`${key}${i}`);
        return i;
      });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => task("strong", i)),
      ...Array.from({ length: 5 }, (_, i) => task("centos", i)),
    ]);
    expect(results).toEqual([...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 5 }, (_, i) => i)]);
    expect(peak.get("strong")).toBe(3);
    expect(peak.get("centos")).toBe(1);
    expect(order.filter((o) => o.startsWith("centos"))).toEqual(["centos0", "centos1", "centos2", "centos3", "centos4"]);
  });
  it("frees the slot when a task throws", async () => {
    const slots = new KeyedSlots(() => 1);
    await expect(slots.run("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await slots.run("k", async () => "next")).toBe("next");
  });
});

describe("mapBounded", () => {
  it("keeps the items' order and never runs more than the limit at once", async () => {
    let now = 0;
    let peak = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 1, 2], 3, async (ms) => {
      peak = Math.max(peak, ++now);
      await tick(ms);
      now--;
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 10, 20]);
    expect(peak).toBe(3);
  });
  it("runs every item even when one fails, then rejects with the first failure", async () => {
    const ran: number[] = [];
    const work = mapBounded([1, 2, 3, 4], 1, async (i) => {
      ran.push(i);
      if (i === 2) throw new Error("two");
      if (i === 3) throw new Error("three");
      return i;
    });
    await expect(work).rejects.toThrow("two");
    expect(ran).toEqual([1, 2, 3, 4]);
  });
  it("an empty list gives an empty result", async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});

describe("waitAtMost", () => {
  const after = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  it("returns when the promise settles, before the time is up", async () => {
    const started = Date.now();
    await waitAtMost(after(20), 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
  it("returns when the time is up, the promise still pending", async () => {
    let done = false;
    const work = after(400).then(() => (done = true));
    await waitAtMost(work, 30);
    expect(done).toBe(false);
    await work;
  });
  it("without a time, waits for the promise", async () => {
    let done = false;
    await waitAtMost(
      after(50).then(() => (done = true)),
      undefined,
    );
    expect(done).toBe(true);
  });
});
