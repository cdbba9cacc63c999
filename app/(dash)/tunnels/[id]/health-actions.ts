"use server";
// "Check now": starts a health round for one tunnel in the background (SSH work never
// runs inside the request); the panel's live refresh shows the result when it lands.
import { z } from "zod";
import { authenticatedAction, idArg } from "@/lib/actions/action-client";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { getHealthPoller } from "@/lib/health/poller";
import { logger } from "@/lib/log/logger";

export const checkTunnelHealthAction = authenticatedAction({
  name: "checkTunnelHealth",
  can: canOperateTunnels,
  what: "check tunnels",
  args: z.tuple([idArg]),
  run: async (_ctx, [tunnelId]) => {
    void getHealthPoller()
      .pollNow([tunnelId])
      .catch((e) => logger.error({ err: e, tunnelId }, "health check failed"));
    return { ok: true as const, message: "Checking both ends now…" };
  },
});
