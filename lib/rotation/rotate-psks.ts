// The `rotate` job handler: a set of tunnels (one, a site's, or all) rotated in batches
// of at most MAX_GATEWAYS_PER_BATCH routers, each batch phase by phase across its
// routers over one SSH session each (rotate-batch.ts).
import "server-only";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { rotateBatch, type BatchEnv } from "@/lib/rotation/rotate-batch";
import { KeyTimers } from "@/lib/rotation/key-timers";
import { getEnv } from "@/lib/config/env";
import { inSessionBatches, MAX_GATEWAYS_PER_BATCH, rotationBatches, tunnelPairs } from "@/lib/rotation/rotation-batches";
import type { RotationHooks, TunnelOutcome } from "@/lib/rotation/rotation-outcome";
import { scheduleRecovery } from "@/lib/rotation/schedule-recovery";

export type RotateParams = { tunnelIds: string[] };

function summarize(outcomes: TunnelOutcome[]) {
  const count = (r: TunnelOutcome["result"]) => outcomes.filter((o) => o.result === r).length;
  return {
    rotated: count("rotated"),
    reverted: count("reverted"),
    abandoned: count("abandoned"),
    stuck: count("stuck"),
    skipped: count("skipped"),
  };
}

/** Every tunnel's outcome; one tunnel failing does not stop the others. */
export async function rotateTunnelSet(
  ctx: JobContext<RotateParams>,
  connect: ConnectGateway,
  hooks: RotationHooks = {},
): Promise<TunnelOutcome[]> {
  const tunnels = await tunnelPairs(ctx.params.tunnelIds);
  if (!tunnels.length) throw new JobFailure("None of these tunnels exists any more.");
  const batches = rotationBatches(tunnels);
  const how = `in ${batches.length} batch(es) of at most ${MAX_GATEWAYS_PER_BATCH} gateways, one SSH session per gateway`;
  await ctx.log("info", `Rotating the PSK of ${tunnels.length} tunnel(s) ${how}`);
  const outcomes = new Map<string, TunnelOutcome>();
  let batch = 0;
  await inSessionBatches(ctx, connect, batches, async (ids, sessions) => {
    // Each batch its own timer on a router (a hub may be in several batches).
    const timers = new KeyTimers(batch++ ? `${ctx.jobId}-${batch}` : ctx.jobId, getEnv().commitConfirmSeconds);
    const env: BatchEnv = { sessions, hooks, timers };
    for (const o of await rotateBatch(ctx, ids, env)) outcomes.set(o.tunnelId, o);
  });
  const ordered = tunnels.map((t) => outcomes.get(t.tunnelId)!);
  // A tunnel left stuck gets its recovery job now, not at the next restart.
  await scheduleRecovery(
    ctx,
    ordered.filter((o) => o.result === "stuck"),
    1,
  );
  for (const o of ordered.filter((o) => o.result === "skipped"))
    await ctx.note(`${o.label}: skipped`, null, "skipped", o.error ?? undefined);
  return ordered;
}

export async function rotatePsks(ctx: JobContext<RotateParams>, connect: ConnectGateway, hooks: RotationHooks = {}) {
  const outcomes = await rotateTunnelSet(ctx, connect, hooks);
  const summary = summarize(outcomes);
  await ctx.log(summary.rotated === outcomes.length ? "info" : "warn", `Done: ${JSON.stringify(summary)}`);
  const bad = outcomes.filter((o) => o.result !== "rotated");
  if (bad.length) {
    const which = bad.map((o) => `${o.label}: ${o.result}${o.error ? ` — ${o.error}` : ""}`).join("; ");
    throw new JobFailure(`${summary.rotated} of ${outcomes.length} tunnel(s) rotated. ${which}`);
  }
  const reported = outcomes.map(({ tunnelId, label, result, fromVersion, toVersion, interruption }) => ({
    tunnelId,
    label,
    result,
    fromVersion,
    toVersion,
    interruption,
  }));
  return { ...summary, tunnels: reported };
}
