// Turns stored samples (oldest first) into what the tunnel page draws: points for the
// latency/loss and traffic charts, and the state timeline as runs of one state. Pure.

export type SampleForChart = {
  at: Date;
  state: string;
  latencyMs: number | null;
  lossPct: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  ikeSpi: string | null;
};

export type ChartPoint = {
  t: number;
  latencyMs: number | null;
  lossPct: number | null;
  /** Bytes per second through the CHILD SA since the previous sample; null across a rekey or reset. */
  inBps: number | null;
  outBps: number | null;
};

export type TimelineRun = { state: string; from: number; to: number; samples: number };

function rate(now: number | null, before: number | null, seconds: number): number | null {
  if (now === null || before === null || now < before || seconds <= 0) return null;
  return Math.round(((now - before) / seconds) * 10) / 10;
}

export function chartPoints(samples: readonly SampleForChart[]): ChartPoint[] {
  return samples.map((s, i) => {
    const prev = i > 0 ? samples[i - 1]! : null;
    const comparable = prev !== null && prev.ikeSpi !== null && prev.ikeSpi === s.ikeSpi;
    const seconds = prev ? (s.at.getTime() - prev.at.getTime()) / 1000 : 0;
    return {
      t: s.at.getTime(),
      latencyMs: s.latencyMs,
      lossPct: s.lossPct,
      inBps: comparable ? rate(s.bytesIn, prev.bytesIn, seconds) : null,
      outBps: comparable ? rate(s.bytesOut, prev.bytesOut, seconds) : null,
    };
  });
}

/** Consecutive samples of one state merged; a run lasts until the next run starts (or `now`). */
export function timelineRuns(samples: readonly { at: Date; state: string }[], now: Date): TimelineRun[] {
  const runs: TimelineRun[] = [];
  for (const s of samples) {
    const last = runs[runs.length - 1];
    if (last && last.state === s.state) last.samples++;
    else {
      if (last) last.to = s.at.getTime();
      runs.push({ state: s.state, from: s.at.getTime(), to: now.getTime(), samples: 1 });
    }
  }
  return runs;
}
