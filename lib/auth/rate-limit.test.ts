import { describe, expect, it } from "vitest";
import { decideSignIn, delayAfterFailures, describeWait, SIGN_IN_DELAYS, type DelayRule } from "./rate-limit";

const rule: DelayRule = { free: 3, baseMs: 1_000, maxMs: 60_000, windowMs: 3_600_000 };
const now = new Date("2026-01-01T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const none = { count: 0, newest: null };

describe("delayAfterFailures", () => {
  it("costs nothing for the first failures, then doubles up to the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 9, 10, 200].map((k) => delayAfterFailures(k, rule))).toEqual([
      0, 0, 0, 1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000,
    ]);
  });
  it("never overflows", () => {
    expect(delayAfterFailures(Number.MAX_SAFE_INTEGER, rule)).toBe(60_000);
  });
  it("gives the real rules a cap of 15 minutes", () => {
    expect(delayAfterFailures(1_000, SIGN_IN_DELAYS.account)).toBe(15 * 60_000);
    expect(delayAfterFailures(SIGN_IN_DELAYS.account.free, SIGN_IN_DELAYS.account)).toBe(1_000);
  });
});

describe("decideSignIn", () => {
  const rules = { account: rule, client: { ...rule, free: 5 } };
  it("lets a clean client in", () => {
    expect(decideSignIn({ account: none, client: none, clientFailedOnAccount: false }, now, rules)).toEqual({ allowed: true });
  });

  it("delays a client that failed on the account by the account's delay", () => {
    const h = { account: { count: 5, newest: ago(1) }, client: { count: 2, newest: ago(1) }, clientFailedOnAccount: true };
    // 5 failures, 3 free: 4 s after the newest, which was 1 s ago.
    expect(decideSignIn(h, now, rules)).toEqual({ allowed: false, retryAfterSeconds: 3, delayedBy: "account" });
    expect(decideSignIn(h, new Date(now.getTime() + 3_000), rules)).toEqual({ allowed: true });
  });

  it("does not hold a client that has not failed on the account back by the account's failures", () => {
    const h = { account: { count: 500, newest: ago(0) }, client: none, clientFailedOnAccount: false };
    expect(decideSignIn(h, now, rules)).toEqual({ allowed: true });
  });

  it("delays a spraying client on every account", () => {
    const h = { account: none, client: { count: 7, newest: ago(2) }, clientFailedOnAccount: false };
    expect(decideSignIn(h, now, rules)).toEqual({ allowed: false, retryAfterSeconds: 2, delayedBy: "client" });
  });

  it("takes the longer of the two delays", () => {
    const h = { account: { count: 4, newest: ago(0) }, client: { count: 9, newest: ago(0) }, clientFailedOnAccount: true };
    expect(decideSignIn(h, now, rules)).toEqual({ allowed: false, retryAfterSeconds: 16, delayedBy: "client" });
  });
});

describe("describeWait", () => {
  it.each([
    [1, "1 second"],
    [8, "8 seconds"],
    [89, "89 seconds"],
    [90, "2 minutes"],
    [900, "15 minutes"],
  ])("%i → %s", (s, text) => expect(describeWait(s)).toBe(text));
});
