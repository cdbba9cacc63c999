import { describe, expect, it } from "vitest";
import { chartPoints, timelineRuns, type SampleForChart } from "./chart-data";

const t0 = Date.parse("2026-11-28T10:00:00Z");
const s = (sec: number, state: string, bytesIn: number | null, bytesOut: number | null, ikeSpi: string | null = "x"): SampleForChart => ({
  at: new Date(t0 + sec * 1000),
  state,
  latencyMs: 1,
  lossPct: 0,
  bytesIn,
  bytesOut,
  ikeSpi,
});

describe("chartPoints", () => {
  it("turns cumulative CHILD SA counters into bytes per second, not across a rekey or reset", () => {
    const points = chartPoints([s(0, "up", 100, 100), s(10, "up", 1100, 600), s(20, "up", 50, 700), s(30, "up", 150, 800, "y")]);
    expect(points.map((p) => [p.inBps, p.outBps])).toEqual([
      [null, null],
      [100, 50],
      [null, 10],
      [null, null],
    ]);
  });
});

describe("timelineRuns", () => {
  it("merges consecutive samples of one state; the last run lasts until now", () => {
    const runs = timelineRuns([s(0, "up", 0, 0), s(10, "up", 0, 0), s(20, "down", 0, 0), s(30, "up", 0, 0)], new Date(t0 + 40_000));
    expect(runs).toEqual([
      { state: "up", from: t0, to: t0 + 20_000, samples: 2 },
      { state: "down", from: t0 + 20_000, to: t0 + 30_000, samples: 1 },
      { state: "up", from: t0 + 30_000, to: t0 + 40_000, samples: 1 },
    ]);
  });
});
