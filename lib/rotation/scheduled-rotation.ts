// Scheduled PSK rotation: when the health leader's round falls inside the maintenance
// window (./maintenance-window.ts) and no instance has taken this window yet, the keys
// past or near their maximum age (lib/alerts/psk-age) are rotated by one rotate job —
// the same job the button queues (./start-rotation.ts). Off until an admin turns it on.
import "server-only";
import { claimRotationWindow, getRotationSchedule } from "@/lib/db/alert-config";
import { loadSnapshotTunnels } from "@/lib/db/alerts";
import { pskAgeOf } from "@/lib/alerts/psk-age";
import { logger } from "@/lib/log/logger";
import { currentWindowStart } from "./maintenance-window";
import { startPskRotation } from "./start-rotation";
import { AppError } from "@/lib/errors";

export const SCHEDULER_ACTOR = { id: null, username: "scheduled rotation" } as const;

/** Returns the queued job's id, or null when nothing was due. */
export async function runScheduledRotation(now: Date): Promise<string | null> {
  const schedule = await getRotationSchedule();
  if (!schedule?.enabled) return null;
  const start = currentWindowStart(schedule.cron, schedule.windowMinutes, now);
  if (!start || (schedule.lastWindowAt && schedule.lastWindowAt >= start)) return null;
  const due = (await loadSnapshotTunnels({ withKeyAge: true })).filter((t) => {
    const s = pskAgeOf(t, now)?.status;
    return s === "expired" || s === "near";
  });
  if (!(await claimRotationWindow(start))) return null;
  if (!due.length) {
    logger.info({ window: start }, "maintenance window: no key is due for rotation");
    return null;
  }
  try {
    const r = await startPskRotation(SCHEDULER_ACTOR, { tunnelIds: due.map((t) => t.id) });
    logger.info({ window: start, jobId: r.jobId, tunnels: r.tunnels, skipped: r.skipped }, "maintenance window: PSK rotation queued");
    return r.jobId;
  } catch (e) {
    if (e instanceof AppError) {
      logger.warn({ window: start, reason: e.userMessage }, "maintenance window: nothing could be rotated");
      return null;
    }
    throw e;
  }
}
