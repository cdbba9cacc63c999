import { describe, expect, it } from "vitest";
import { absoluteTime, duration } from "./when";

describe("time formats", () => {
  it("absolute times are UTC to the second, said so", () => {
    expect(absoluteTime(new Date("2026-12-06T22:47:35.123Z"))).toBe("2026-12-06 22:47:35 UTC");
  });
  it("durations read at a glance", () => {
    expect(duration(4_230)).toBe("4.2 s");
    expect(duration(42_400)).toBe("42 s");
    expect(duration(185_000)).toBe("3 min 5 s");
    expect(duration(3_720_000)).toBe("1 h 2 min");
  });
});
