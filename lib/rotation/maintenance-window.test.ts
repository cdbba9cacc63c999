import { describe, expect, it } from "vitest";
import { cronProblem, currentWindowStart, nextWindows } from "./maintenance-window";

const utc = (s: string) => new Date(`${s}Z`);

describe("maintenance window", () => {
  it("is inside the window from its opening for windowMinutes, outside before and after (UTC)", () => {
    const sundays3 = "0 3 * * 0"; // 2026-12-06 is a Sunday
    expect(currentWindowStart(sundays3, 60, utc("2026-12-06T02:59:59"))).toBeNull();
    expect(currentWindowStart(sundays3, 60, utc("2026-12-06T03:00:00"))).toEqual(utc("2026-12-06T03:00:00"));
    expect(currentWindowStart(sundays3, 60, utc("2026-12-06T03:59:00"))).toEqual(utc("2026-12-06T03:00:00"));
    expect(currentWindowStart(sundays3, 60, utc("2026-12-06T04:00:01"))).toBeNull();
    expect(currentWindowStart(sundays3, 60, utc("2026-12-07T03:30:00"))).toBeNull(); // Monday
  });

  it("lists the next openings", () => {
    expect(nextWindows("30 1 * * *", 2, utc("2026-12-06T12:00:00"))).toEqual([utc("2026-12-07T01:30:00"), utc("2026-12-08T01:30:00")]);
  });

  it("says why an expression is refused", () => {
    expect(cronProblem("0 3 * * 0")).toBeNull();
    expect(cronProblem("61 3 * * *")).not.toBeNull();
    expect(cronProblem("every sunday")).not.toBeNull();
    expect(cronProblem("0 3 * * 0 2027")).not.toBeNull(); // five fields only
  });
});
