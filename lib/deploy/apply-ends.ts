// Applying a deploy's ends (bring-up-tunnels): each tunnel's end on the busier router is
// applied first (a hub: one router-wide load for all its tunnels, nothing to initiate
// yet), then its end on the less busy router (a spoke: load and initiate), so each
// bring-up finds its peer configured and a hub does not initiate its N tunnels one by one.
import "server-only";
import { failureOf, gatewayLog, message, type DeployBatch } from "@/lib/deploy/deploy-batch";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import { parallelGateways } from "@/lib/config/env";
import { mapBounded } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

/**
 * One router's ends of one round: `last` false, the ends it goes first on (a hub: one
 * router-wide load for all its tunnels, nothing to initiate yet); true, the ends it goes
 * second on (a spoke: load and initiate, its peer already configured). A failed end drops
 * its own tunnel; the step shows the failure.
 */
export async function applyRound(ctx: JobContext<unknown>, batch: DeployBatch, w: GatewayWork, last: boolean): Promise<void> {
  const ends = w.ends.filter((e) => !batch.runOf(e).error && !batch.runOf(e).kept && (e.role === batch.runOf(e).lastRole) === last);
  if (!w.io || !ends.length) return;
  // Router-wide commands already run in this round on this router.
  const ran = new Set<string>();
  await ctx
    .step(`apply on ${w.name}`, w.gatewayId, async () => {
      const errors: string[] = [];
      for (const e of ends) {
        try {
          await w.applyEnd(e, gatewayLog(ctx, w.name), ran, !last);
        } catch (err) {
          const why = failureOf(err, w, `applying ${e.end.interfaceName}`);
          batch.fail(batch.runOf(e), why);
          errors.push(why);
        }
      }
      if (errors.length) throw new JobFailure(errors.join("; "));
    })
    .catch(() => undefined);
}

/**
 * Marks the tunnels whose files are the same on both routers and that are up on both ends
 * as kept, where a platform of theirs would interrupt a running tunnel by applying it again
 * (Libreswan's `ipsec auto --add` closes its SAs): a fleet deploy then leaves them running.
 * A tunnel that is not up, or whose status cannot be read, is applied as usual.
 */
export async function keepRunningIfUnchanged(ctx: JobContext<unknown>, batch: DeployBatch): Promise<void> {
  const works = batch.works;
  const candidates = batch
    .alive()
    .filter(
      (r) =>
        r.ends.some((e) => works.get(e.gatewayId)!.platform.capabilities.reapplyInterrupts) &&
        r.ends.every((e) => works.get(e.gatewayId)!.unchangedFor(r.id)),
    );
  if (!candidates.length) return;
  const ids = new Set(candidates.map((r) => r.id));
  const upEnds = new Map<string, number>();
  await mapBounded(
    batch.gateways.filter((w) => w.io && w.ends.some((e) => ids.has(e.end.tunnelId))),
    parallelGateways(),
    async (w) => {
      const ends = w.ends.filter((e) => ids.has(e.end.tunnelId));
      try {
        const checks = await w.check(ends);
        for (const e of ends) if (checks.get(e.end.tunnelId)?.ok) upEnds.set(e.end.tunnelId, (upEnds.get(e.end.tunnelId) ?? 0) + 1);
      } catch (e) {
        await ctx.log("warn", `could not read the status of the unchanged tunnels (${message(e)}): applying them again`, w.name);
      }
    },
  );
  for (const r of candidates.filter((r) => upEnds.get(r.id) === 2)) {
    r.kept = true;
    await ctx.log(
      "info",
      `${r.label}: files unchanged and the tunnel is up on both ends: left running (applying it again would interrupt it)`,
    );
  }
}
