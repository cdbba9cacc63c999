import { describe, expect, it } from "vitest";
import { DEFAULT_RECOVERY_BACKOFF_SECONDS, parseBackoff, recoveryAttempt } from "./recovery-schedule";

const now = new Date("2026-12-06T12:00:00Z");

describe("recovery attempts of a stuck rotation", () => {
  it("the first runs at once, each later one after the next backoff", () => {
    const b = [30, 120];
    expect(recoveryAttempt(1, b, now)).toEqual({ attempt: 1, of: 3, notBefore: null, capped: false });
    expect(recoveryAttempt(2, b, now)).toEqual({ attempt: 2, of: 3, notBefore: new Date("2026-12-06T12:00:30Z"), capped: false });
    expect(recoveryAttempt(3, b, now)).toEqual({ attempt: 3, of: 3, notBefore: new Date("2026-12-06T12:02:00Z"), capped: false });
    expect(recoveryAttempt(0, b, now)).toBeNull();
  });

  it("past the schedule it never gives up: every further attempt waits the last (longest) backoff", () => {
    const b = [30, 120];
    expect(recoveryAttempt(4, b, now)).toEqual({ attempt: 4, of: 3, notBefore: new Date("2026-12-06T12:02:00Z"), capped: true });
    expect(recoveryAttempt(50, b, now)).toEqual({ attempt: 50, of: 3, notBefore: new Date("2026-12-06T12:02:00Z"), capped: true });
    const last = recoveryAttempt(7, DEFAULT_RECOVERY_BACKOFF_SECONDS, now)!;
    expect(last.capped).toBe(true);
    expect(last.notBefore).toEqual(new Date(now.getTime() + 3600_000));
    expect(recoveryAttempt(6, DEFAULT_RECOVERY_BACKOFF_SECONDS, now)!.capped).toBe(false);
  });

  it("parses the setting strictly", () => {
    expect(parseBackoff("30, 120 600")).toEqual([30, 120, 600]);
    expect(parseBackoff("")).toBeNull();
    expect(parseBackoff("30,-1")).toBeNull();
    expect(parseBackoff("1.5")).toBeNull();
    expect(parseBackoff("abc")).toBeNull();
  });
});
