import { describe, expect, it } from "vitest";
import { sshErrors } from "@/lib/ssh/errors";
import { pollWait, waitFor } from "./verify";

describe("waitFor", () => {
  it("gives up at once when the SSH connection dropped: a dead session does not come back", async () => {
    let n = 0;
    const lost = sshErrors.connectionLost({ host: "198.18.0.1", port: 22 }, "before running swanctl");
    const started = Date.now();
    await expect(
      waitFor(
        async () => {
          n++;
          throw lost;
        },
        () => true,
        30_000,
        5,
      ),
    ).rejects.toBe(lost);
    expect(n).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
  it("tries again after an attempt throws (a status command timing out on a busy router)", async () => {
    let n = 0;
    const r = await waitFor(
      async () => {
        if (++n < 3) throw new Error("timed out");
        return n;
      },
      (v) => v === 3,
      2_000,
      5,
    );
    expect(r).toBe(3);
  });
  it("throws the last error when the deadline passes", async () => {
    await expect(
      waitFor(
        async () => Promise.reject(new Error("still busy")),
        () => true,
        30,
        5,
      ),
    ).rejects.toThrow("still busy");
  });
  it("returns the last result when the deadline passes without success", async () => {
    expect(
      await waitFor(
        async () => 1,
        () => false,
        20,
        5,
      ),
    ).toBe(1);
  });
});

describe("pollWait", () => {
  it("waits 100 ms after the first attempt, then twice as long each time, up to the cap", () => {
    expect([0, 1, 2, 3, 4, 5].map((r) => pollWait(r, 500))).toEqual([100, 200, 400, 500, 500, 500]);
    expect([0, 1, 2, 3, 4].map((r) => pollWait(r, 1000))).toEqual([100, 200, 400, 800, 1000]);
  });
  it("never waits longer than a cap below 100 ms, nor overflows after many rounds", () => {
    expect(pollWait(0, 5)).toBe(5);
    expect(pollWait(5000, 500)).toBe(500);
  });
});
