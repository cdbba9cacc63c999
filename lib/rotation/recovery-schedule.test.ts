import { describe, expect, it } from "vitest";
import { DEFAULT_RECOVERY_BACKOFF_SECONDS, parseBackoff, recoveryAttempt } from "./recovery-schedule";

const now = new Date("2026-12-06T12:00:00Z");

describe("recovery attempts of a stuck rotation", () => {
  it("the first runs at once, each later one after the next backoff, and they end", () => {
    const b = [30, 120];
    expect(recoveryAttempt(1, b, now)).toEqual({ attempt: 1, of: 3, notBefore: null });
    expect(recoveryAttempt(2, b, now)).toEqual({ attempt: 2, of: 3, notBefore: new Date("2026-12-06T12:00:30Z") });
    expect(recoveryAttempt(3, b, now)).toEqual({ attempt: 3, of: 3, notBefore: new Date("2026-12-06T12:02:00Z") });
    expect(recoveryAttempt(4, b, now)).toBeNull();
    expect(recoveryAttempt(0, b, now)).toBeNull();
  });

  it("the default is bounded: six attempts, the last about 1 h 45 min after the first", () => {
    const total = DEFAULT_RECOVERY_BACKOFF_SECONDS.reduce((s, n) => s + n, 0);
    expect(recoveryAttempt(7, DEFAULT_RECOVERY_BACKOFF_SECONDS, now)).toBeNull();
    expect(total).toBe(6150); // plus the time the attempts themselves take
  });

  it("parses the setting strictly", () => {
    expect(parseBackoff("30, 120 600")).toEqual([30, 120, 600]);
    expect(parseBackoff("")).toBeNull();
    expect(parseBackoff("30,-1")).toBeNull();
    expect(parseBackoff("1.5")).toBeNull();
    expect(parseBackoff("abc")).toBeNull();
  });
});
