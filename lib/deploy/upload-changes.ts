// The first step of a router's part of a deploy (bring-up-tunnels): copy the files about to change to a backup
// on the router itself (rollback and a person can both find them there), arm the router's
// commit-confirm timer, then upload.
// A router that fails here drops its tunnels; what it already wrote is rolled back.
import "server-only";
import type { DeployBatch } from "@/lib/deploy/deploy-batch";
import { failureOf } from "@/lib/deploy/deploy-batch";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import type { JobContext } from "@/lib/jobs/types";
import { getEnv } from "@/lib/config/env";

/** One router's part; a failure drops its tunnels (what it already wrote is rolled back at the end). */
export async function backUpAndUploadRouter(ctx: JobContext<unknown>, batch: DeployBatch, w: GatewayWork): Promise<void> {
  if (!w.io || !w.plan) return;
  try {
    const n = await ctx.step(`back up on ${w.name}`, w.gatewayId, () => w.backUp(ctx.jobId));
    await ctx.log("info", `backed up ${n} file(s) under /var/lib/gatewarden/backups/${ctx.jobId}`, w.name);
    // The router's own dead-man switch, armed before anything changes there (README: Commit-confirm).
    const timer = await ctx.step(`arm commit-confirm on ${w.name}`, w.gatewayId, () =>
      w.armConfirm(ctx.jobId, getEnv().commitConfirmSeconds),
    );
    if (timer)
      await ctx.log(
        "info",
        `commit-confirm armed (${timer.how}): unless confirmed, the router restores its previous configuration by itself at ${timer.deadline.toISOString()} (${timer.seconds} s)`,
        w.name,
      );
    await ctx.step(`upload to ${w.name}`, w.gatewayId, () => w.upload());
  } catch (e) {
    batch.failGateway(w, failureOf(e, w, "backing up and uploading"));
  }
}
