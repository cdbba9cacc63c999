// Commit-confirm, Gatewarden's side: after verification, each router armed by this job
// is told to stand down (its timer disarmed). A router that cannot be confirmed, or whose
// timer already restored it, keeps or gets back its previous configuration by itself,
// and its tunnels count as failed (rolled back on their other routers). A router that
// Gatewarden rolls back is taken over (its timer disarmed) just before (roll-back-tunnels).
import "server-only";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { message, type DeployBatch } from "@/lib/deploy/deploy-batch";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import { parallelGateways } from "@/lib/config/env";
import { mapBounded } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

type When = "verified" | "rolled-back";

/**
 * "verified": the routers all of whose tunnels verified; a failure here fails their tunnels.
 * "rolled-back": every router still armed that Gatewarden did not fail to roll back, e.g.
 * one whose upload failed before writing (one it could not put back keeps its timer, which restores it).
 */
export async function confirmRouters(ctx: JobContext<unknown>, batch: DeployBatch, connect: ConnectGateway, when: When) {
  const armed = batch.gateways.filter(
    (w) => w.timer && !w.rollBackFailed && (when === "rolled-back" || w.ends.every((e) => !batch.runOf(e).error)),
  );
  // One short command per router, side by side: a fleet of N routers is confirmed in about the time of one.
  await mapBounded(armed, parallelGateways(), async (w) => {
    const why = await confirmRouter(ctx, w, connect, when);
    if (why && when === "verified") batch.failGateway(w, why);
  });
}

/** Confirms one armed router; returns why it could not (logged), or null when confirmed. */
export async function confirmRouter(ctx: JobContext<unknown>, w: GatewayWork, connect: ConnectGateway, when: When): Promise<string | null> {
  if (!w.timer) return null;
  const deadline = w.timer.deadline.toISOString();
  try {
    await ctx.step(`confirm on ${w.name}`, w.gatewayId, async () => {
      if (!w.io?.isAlive) {
        await w.io?.close();
        w.io = await connect(w.gatewayId, ctx);
      }
      if ((await w.confirm()) === "reverted")
        throw new RouterReverted(
          `${w.name} restored its previous configuration by itself before Gatewarden confirmed (commit-confirm reverted)`,
        );
    });
    await ctx.log(
      "info",
      `commit-confirm: confirmed${when === "rolled-back" ? " after the rollback" : ""}; the router's timer is disarmed`,
      w.name,
    );
    return null;
  } catch (e) {
    const why =
      e instanceof RouterReverted
        ? e.message
        : `${w.name}: could not confirm the change (${message(e)}); the router restores its previous configuration by itself at ${deadline} (commit-confirm)`;
    await ctx.log(when === "verified" ? "error" : "warn", why, w.name);
    return why;
  }
}

class RouterReverted extends JobFailure {}
