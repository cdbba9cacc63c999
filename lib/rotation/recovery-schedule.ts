// Pure: when a tunnel whose rotation could not be settled (result "stuck": a pending key,
// the two ends maybe on different keys) gets its next recovery attempt. The first runs at
// once; each later one waits longer (GATEWARDEN_RECOVERY_BACKOFF_SECONDS); once the
// schedule is used up the attempts go on at its last (longest) wait, for as long as the
// tunnel stays stuck: a router that comes back after a day is settled without anyone
// pressing Repair (which stays there, with the stuck banner, for who does not want to wait).

/** 30 s, 2 min, 10 min, 30 min, 1 h, then every hour. */
export const DEFAULT_RECOVERY_BACKOFF_SECONDS = [30, 120, 600, 1800, 3600] as const;

/** `of`: the attempts of the escalating schedule; `capped`: past it, retried at its last wait. */
export type RecoveryAttempt = { attempt: number; of: number; notBefore: Date | null; capped: boolean };

/**
 * Attempt `attempt` (1-based): at once for the first, then after backoff[attempt - 2]
 * seconds from `now`, then after the last backoff every time; null only for a bad count.
 */
export function recoveryAttempt(attempt: number, backoffSeconds: readonly number[], now: Date): RecoveryAttempt | null {
  const of = backoffSeconds.length + 1;
  if (!Number.isInteger(attempt) || attempt < 1) return null;
  const capped = attempt > of;
  const wait = attempt === 1 ? 0 : (backoffSeconds[Math.min(attempt, of) - 2] ?? 0);
  return { attempt, of, notBefore: wait > 0 ? new Date(now.getTime() + wait * 1000) : null, capped };
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
