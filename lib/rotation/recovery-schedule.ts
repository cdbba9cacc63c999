// Pure: when a tunnel whose rotation could not be settled (result "stuck": a pending key,
// the two ends maybe on different keys) gets its next recovery attempt. The first runs at
// once; each later one waits longer (GATEWARDEN_RECOVERY_BACKOFF_SECONDS); after the last
// the tunnel stays stuck, shown on its page, until someone presses Repair.

/** 30 s, 2 min, 10 min, 30 min, 1 h: six attempts within about 1 h 45 min. */
export const DEFAULT_RECOVERY_BACKOFF_SECONDS = [30, 120, 600, 1800, 3600] as const;

export type RecoveryAttempt = { attempt: number; of: number; notBefore: Date | null };

/**
 * Attempt `attempt` (1-based): at once for the first, then after backoff[attempt - 2]
 * seconds from `now`; null once every attempt was used.
 */
export function recoveryAttempt(attempt: number, backoffSeconds: readonly number[], now: Date): RecoveryAttempt | null {
  const of = backoffSeconds.length + 1;
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > of) return null;
  const wait = attempt === 1 ? 0 : backoffSeconds[attempt - 2]!;
  return { attempt, of, notBefore: wait > 0 ? new Date(now.getTime() + wait * 1000) : null };
}

/** "30,120,600" → [30, 120, 600]; every entry a whole number of seconds from 1 to a day. */
export function parseBackoff(text: string): number[] | null {
  const parts = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (!parts.length || parts.length > 20 || parts.some((n) => !Number.isInteger(n) || n < 1 || n > 86_400)) return null;
  return parts;
}
