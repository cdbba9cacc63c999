import { describe, expect, it } from "vitest";
import { decideRateLimit } from "./rate-limit";

const rule = { maxFailures: 3, windowMs: 60_000 };
const now = new Date("2026-01-01T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe("decideRateLimit", () => {
  it("allows attempts under the limit", () => {
    expect(decideRateLimit([ago(1), ago(2)], now, rule)).toEqual({ blocked: false });
  });
  it("blocks at the limit and says when to retry", () => {
    expect(decideRateLimit([ago(10), ago(20), ago(30)], now, rule)).toEqual({ blocked: true, retryAfterSeconds: 30 });
  });
  it("ignores failures outside the window", () => {
    expect(decideRateLimit([ago(10), ago(20), ago(61)], now, rule)).toEqual({ blocked: false });
  });
  it("uses the newest failures when there are more than the limit", () => {
    expect(decideRateLimit([ago(50), ago(5), ago(40), ago(1)], now, rule)).toEqual({ blocked: true, retryAfterSeconds: 20 });
  });
});
