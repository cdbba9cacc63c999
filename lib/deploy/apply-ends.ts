// The third phase of a deploy: every tunnel's end on the busier router is applied
// first (a hub: one router-wide load for all its tunnels, nothing to initiate yet), then
// every end on the less busy router (a spoke: load and initiate), so each bring-up finds
// its peer configured and a hub does not initiate its N tunnels one by one.
import "server-only";
import { gatewayLog, message, type DeployBatch } from "@/lib/deploy/deploy-batch";
import { PARALLEL_GATEWAYS } from "@/lib/deploy/fleet-plan";
import { mapBounded } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

export async function applyEnds(ctx: JobContext<unknown>, batch: DeployBatch): Promise<void> {
  for (const last of [false, true]) {
    await mapBounded(
      batch.gateways.filter((w) => w.io),
      PARALLEL_GATEWAYS,
      async (w) => {
        const ends = w.ends.filter((e) => !batch.runOf(e).error && (e.role === batch.runOf(e).lastRole) === last);
        if (!ends.length) return;
        // Router-wide commands already run in this round on this router.
        const ran = new Set<string>();
        await ctx
          .step(`apply on ${w.name}`, w.gatewayId, async () => {
            const errors: string[] = [];
            for (const e of ends) {
              try {
                await w.applyEnd(e, gatewayLog(ctx, w.name), ran, !last);
              } catch (err) {
                batch.fail(batch.runOf(e), message(err));
                errors.push(message(err));
              }
            }
            if (errors.length) throw new JobFailure(errors.join("; "));
          })
          // Each failed end already dropped its own tunnel; the step shows the failure.
          .catch(() => undefined);
      },
    );
  }
}
