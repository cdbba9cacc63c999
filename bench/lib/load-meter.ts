// The machine's load while something runs: the 1-minute load average sampled every
// second (min, mean, max) and each core's busy share from /proc/stat over the span, so
// a run on a machine busy with other work says so next to its time.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

export type LoadDuring = { load1: { min: number; mean: number; max: number }; cpuBusy: number[] };

function cpuTimes(): { busy: number; total: number }[] {
  return readFileSync("/proc/stat", "utf8")
    .split("\n")
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const v = l.trim().split(/\s+/).slice(1).map(Number);
      const idle = (v[3] ?? 0) + (v[4] ?? 0);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      return { busy: total - idle, total };
    });
}

/** Each core's busy share between two readings of /proc/stat, to 0.01. */
function busyShares(before: { busy: number; total: number }[], after: { busy: number; total: number }[]): number[] {
  return after.map((a, i) => Math.round(((a.busy - before[i]!.busy) / Math.max(1, a.total - before[i]!.total)) * 100) / 100);
}

export async function measureLoad<T>(fn: () => Promise<T>): Promise<{ result: T; load: LoadDuring }> {
  const samples = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), 1000);
  const before = cpuTimes();
  try {
    const result = await fn();
    const after = cpuTimes();
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      result,
      load: {
        load1: {
          min: r2(Math.min(...samples)),
          mean: r2(samples.reduce((a, b) => a + b, 0) / samples.length),
          max: r2(Math.max(...samples)),
        },
        cpuBusy: busyShares(before, after),
      },
    };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Waits until every core is less than `busy` busy over a 2 s window (at most `maxMs`): a
 * fresh lab's daemons (100 charons starting) keep the routers' core saturated for a while,
 * and a run timed before they settle measures their start, not the tool. Returns the
 * seconds waited and the last window's busy shares.
 */
export async function waitForIdle(busy = 0.3, maxMs = 180_000): Promise<{ seconds: number; cpuBusy: number[] }> {
  const started = Date.now();
  for (;;) {
    const before = cpuTimes();
    await new Promise((r) => setTimeout(r, 2000));
    const shares = busyShares(before, cpuTimes());
    if (shares.every((x) => x < busy) || Date.now() - started > maxMs) return { seconds: (Date.now() - started) / 1000, cpuBusy: shares };
  }
}
