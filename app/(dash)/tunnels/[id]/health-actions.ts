"use server";
// "Check now": starts a health round for one tunnel in the background (SSH work never
// runs inside the request); the panel's live refresh shows the result when it lands.
import { requirePermission } from "@/lib/auth/session";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { getHealthPoller } from "@/lib/health/poller";
import { logger } from "@/lib/log/logger";
import { AppError } from "@/lib/errors";

export async function checkTunnelHealthAction(tunnelId: string): Promise<{ ok: boolean; message: string }> {
  try {
    await requirePermission(canOperateTunnels, "check tunnels");
    void getHealthPoller()
      .pollNow([tunnelId])
      .catch((e) => logger.error({ err: e, tunnelId }, "health check failed"));
    return { ok: true, message: "Checking both ends now…" };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.userMessage };
    throw e;
  }
}
