import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { samplesToDelete, type ThinnableSample } from "./thinning";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const now = new Date("2026-11-28T12:00:00Z");
const at = (msAgo: number) => new Date(now.getTime() - msAgo);
const sample = (id: string, msAgo: number, state = "up"): ThinnableSample => ({ id, at: at(msAgo), state });

describe("samplesToDelete", () => {
  it("keeps every sample of the last hour", () => {
    const recent = Array.from({ length: 120 }, (_, i) => sample(`r${i}`, i * 30_000));
    expect(samplesToDelete(recent, now)).toEqual([]);
  });

  it("keeps one per 5 minutes for a day, one per hour for 30 days, none older", () => {
    // A sample every 30 s from 1 h to 3 h ago: 240 samples in 24 five-minute buckets (+1 partial).
    const day = Array.from({ length: 240 }, (_, i) => sample(`d${i}`, HOUR + 1000 + i * 30_000));
    const kept = day.length - samplesToDelete(day, now).length;
    expect(kept).toBeGreaterThanOrEqual(24);
    expect(kept).toBeLessThanOrEqual(25);

    const month = Array.from({ length: 48 * 12 }, (_, i) => sample(`m${i}`, 2 * DAY + i * 5 * MIN)); // 48 h of 5-minute samples
    const keptMonth = month.length - samplesToDelete(month, now).length;
    expect(keptMonth).toBeGreaterThanOrEqual(48);
    expect(keptMonth).toBeLessThanOrEqual(49);

    expect(samplesToDelete([sample("old", 31 * DAY), sample("edge", 29 * DAY)], now)).toEqual(["old"]);
  });

  it("keeps the worst state of a bucket, so an outage survives thinning", () => {
    const base = 2 * HOUR - MIN; // 10:01 … 10:04: four samples in one 5-minute bucket
    const bucket = [
      sample("a", base, "up"),
      sample("b", base - MIN, "down"),
      sample("c", base - 2 * MIN, "up"),
      sample("d", base - 3 * MIN, "degraded"),
    ];
    expect(samplesToDelete(bucket, now).sort()).toEqual(["a", "c", "d"]);
  });

  it("never deletes a sample of the last hour, and leaves at most one per bucket beyond it", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 * DAY }), { maxLength: 300 }), (ages) => {
        const samples = ages.map((a, i) => sample(`s${i}`, a, i % 7 === 0 ? "down" : "up"));
        const removed = new Set(samplesToDelete(samples, now));
        const left = samples.filter((s) => !removed.has(s.id));
        for (const s of samples) if (now.getTime() - s.at.getTime() <= HOUR) expect(removed.has(s.id)).toBe(false);
        const seen = new Set<string>();
        for (const s of left) {
          const age = now.getTime() - s.at.getTime();
          expect(age).toBeLessThanOrEqual(30 * DAY);
          if (age <= HOUR) continue;
          const size = age > DAY ? HOUR : 5 * MIN;
          const key = `${size}:${Math.floor(s.at.getTime() / size)}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
      }),
    );
  });
});
