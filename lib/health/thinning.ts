// Which health samples to keep as they age: every sample of the last hour, one per
// 5 minutes for a day, one per hour for 30 days, nothing older. In each bucket the
// worst state is kept (ties: the latest), so an outage does not vanish from the
// timeline when its samples are thinned. Pure; lib/db/health.ts does the delete.

export type ThinnableSample = { id: string; at: Date; state: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const RETENTION = [
  { olderThanMs: HOUR, bucketMs: 5 * MINUTE },
  { olderThanMs: DAY, bucketMs: HOUR },
] as const;
export const MAX_AGE_MS = 30 * DAY;

const SEVERITY: Record<string, number> = { down: 4, unreachable: 4, degraded: 3, unknown: 2, up: 1 };

/** Ids of the samples to delete (one tunnel's samples, any order). */
export function samplesToDelete(samples: readonly ThinnableSample[], now: Date): string[] {
  const remove: string[] = [];
  const buckets = new Map<string, ThinnableSample>();
  for (const s of samples) {
    const age = now.getTime() - s.at.getTime();
    if (age <= HOUR) continue;
    if (age > MAX_AGE_MS) {
      remove.push(s.id);
      continue;
    }
    const tier = age > DAY ? RETENTION[1] : RETENTION[0];
    const key = `${tier.bucketMs}:${Math.floor(s.at.getTime() / tier.bucketMs)}`;
    const kept = buckets.get(key);
    if (!kept) {
      buckets.set(key, s);
      continue;
    }
    if (better(s, kept)) {
      remove.push(kept.id);
      buckets.set(key, s);
    } else remove.push(s.id);
  }
  return remove;
}

function better(a: ThinnableSample, b: ThinnableSample): boolean {
  const sa = SEVERITY[a.state] ?? 0;
  const sb = SEVERITY[b.state] ?? 0;
  return sa !== sb ? sa > sb : a.at.getTime() > b.at.getTime();
}
