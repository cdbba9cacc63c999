// The maintenance window for scheduled PSK rotation, pure: a cron expression says when a
// window opens (croner parses it), windowMinutes how long it stays open. A round that
// falls inside a window gets that window's start, which the caller claims once.
import { Cron } from "croner";

/** Null when the expression is valid, else why not (for the form). */
export function cronProblem(expr: string): string | null {
  try {
    const c = new Cron(expr, { paused: true, mode: "5-part" });
    if (!c.nextRun(new Date())) return "it never runs";
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The start of the window `now` falls in, or null outside every window. Times are UTC. */
export function currentWindowStart(expr: string, windowMinutes: number, now: Date): Date | null {
  const c = new Cron(expr, { paused: true, mode: "5-part", timezone: "UTC" });
  // The first opening after (now − window): if it is not after now, now is inside that window.
  const from = new Date(now.getTime() - windowMinutes * 60_000);
  const start = c.nextRun(from);
  return start && start.getTime() <= now.getTime() ? start : null;
}

/** The next few openings after `now`, for the settings page. */
export function nextWindows(expr: string, count: number, now: Date): Date[] {
  return new Cron(expr, { paused: true, mode: "5-part", timezone: "UTC" }).nextRuns(count, now);
}
