import { describe, expect, it } from "vitest";
import { interestingRoutes, waitFor } from "./verify";

describe("waitFor", () => {
  it("tries again after an attempt throws (a status command timing out on a busy router)", async () => {
    let n = 0;
    const r = await waitFor(async () => {
      if (++n < 3) throw new Error("timed out");
      return n;
    }, (v) => v === 3, 2_000, 5);
    expect(r).toBe(3);
  });
  it("throws the last error when the deadline passes", async () => {
    await expect(waitFor(async () => Promise.reject(new Error("still busy")), () => true, 30, 5)).rejects.toThrow("still busy");
  });
  it("returns the last result when the deadline passes without success", async () => {
    expect(await waitFor(async () => 1, () => false, 20, 5)).toBe(1);
  });
});

describe("interestingRoutes", () => {
  it("drops the kernel's local and broadcast entries", () => {
    const text = "default via 198.18.0.254 dev wan0\nlocal 192.168.1.254 dev lan0 table local proto kernel\n192.168.2.0/24 dev ipsec0 table 220 proto static src 192.168.1.254\nbroadcast 192.168.1.255 dev lan0 table local";
    expect(interestingRoutes(text)).toBe("default via 198.18.0.254 dev wan0\n192.168.2.0/24 dev ipsec0 table 220 proto static src 192.168.1.254");
  });
});
