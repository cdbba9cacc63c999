import { describe, expect, it } from "vitest";
import { waitFor } from "./verify";

describe("waitFor", () => {
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
