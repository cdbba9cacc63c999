// The `rotate-recover` job handler: after a crash, each tunnel's half-done rotation is
// finished or reverted as decideRecovery says, read from the database rows alone. Reverts
// go through the rotation's own engine with the old version as the target (always with
// a key switch: nobody knows what a router loaded before the crash); finishing resumes
// the rotation from the upload with the version both ends already hold.
import "server-only";
import { getRotationSnapshot } from "@/lib/db/rotation";
import { recordAudit } from "@/lib/db/audit";
import { runInTransaction } from "@/lib/db/client";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { decideRecovery, type EndRole, type RecoveryDecision } from "@/lib/rotation/rotation-state";
import { revertTunnels, type Revert } from "@/lib/rotation/revert-tunnels";
import { rotateBatch } from "@/lib/rotation/rotate-batch";
import { inSessionBatches, rotationBatches, tunnelPairs } from "@/lib/rotation/rotation-batches";
import type { RotationHooks } from "@/lib/rotation/rotation-outcome";
import { scheduleRecovery } from "@/lib/rotation/schedule-recovery";
import { takeOverKeyTimers } from "@/lib/rotation/key-timers";

export type RecoverParams = { tunnelIds: string[]; interruptedJobId?: string; attempt?: number; notBefore?: string };

/** What the job result lists per tunnel. */
type Settled = { tunnelId: string; action: string; reason: string; result: string };

export async function recoverRotations(ctx: JobContext<RecoverParams>, connect: ConnectGateway, hooks: RotationHooks = {}) {
  const tunnels = await tunnelPairs(ctx.params.tunnelIds);
  const of = ctx.params.interruptedJobId
    ? ` of interrupted job ${ctx.params.interruptedJobId}`
    : ctx.params.attempt
      ? ` that could not finish (attempt ${ctx.params.attempt})`
      : "";
  await ctx.log("warn", `Settling the rotation${of} for ${tunnels.length} tunnel(s)`);
  const settled = new Map<string, Settled>();
  const reverts = new Map<string, Revert & { decision: RecoveryDecision }>();
  const finish = new Map<string, number>();
  for (const { tunnelId } of tunnels) {
    try {
      const d = await decide(tunnelId);
      await ctx.log("info", `${tunnelId}: ${d.action} (${d.reason})`);
      settled.set(tunnelId, { tunnelId, action: d.action, reason: d.reason, result: d.action === "finish" ? "pending" : d.action });
      if (d.action === "revert") {
        reverts.set(tunnelId, {
          tunnelId,
          oldVersion: d.oldVersion,
          abandon: d.abandon,
          switchKeys: true,
          why: `recovery: ${d.reason}`,
          decision: d,
        });
      }
      if (d.action === "finish") finish.set(tunnelId, d.newVersion);
    } catch (e) {
      settled.set(tunnelId, { tunnelId, action: "error", reason: e instanceof Error ? e.message : String(e), result: "stuck" });
    }
  }

  await inSessionBatches(ctx, connect, rotationBatches(tunnels.filter((t) => reverts.has(t.tunnelId))), async (ids, sessions) => {
    const batch = ids.map((id) => reverts.get(id)!);
    // A rotation's timers still armed for these tunnels stand down once both routers answer: this job sets the key now.
    for (const id of ids) await takeOverKeyTimers(ctx, sessions, id);
    const results = await revertTunnels(ctx, sessions, batch);
    for (const r of batch) {
      const ok = results.get(r.tunnelId)?.ok === true;
      const result = (settled.get(r.tunnelId)!.result = ok ? "reverted" : "stuck");
      const what = ok ? `both ends back on v${r.oldVersion}` : "revert failed, check both routers";
      await runInTransaction((tx) =>
        recordAudit(tx, ctx.actor, {
          action: "tunnel.psk.rotate",
          targetType: "tunnel",
          targetId: r.tunnelId,
          summary: `Interrupted PSK rotation settled after a restart: ${what}; interruption not measured`,
          after: { result, recovery: r.decision, job: ctx.jobId, interruption: "not measured" },
        }),
      );
    }
  });

  // Both ends already hold the pending key: finish those rotations.
  await inSessionBatches(ctx, connect, rotationBatches(tunnels.filter((t) => finish.has(t.tunnelId))), async (ids, sessions) => {
    for (const id of ids) await takeOverKeyTimers(ctx, sessions, id);
    for (const o of await rotateBatch(ctx, ids, { sessions, hooks }, finish)) settled.get(o.tunnelId)!.result = o.result;
  });

  const decisions = tunnels.map((t) => settled.get(t.tunnelId)!);
  const bad = decisions.filter((d) => d.result === "stuck");
  // Still stuck: the next attempt is queued now, with backoff (after a restart the count starts at 1).
  await scheduleRecovery(
    ctx,
    bad.map((d) => ({ tunnelId: d.tunnelId, label: `tunnel ${d.tunnelId}` })),
    (ctx.params.attempt ?? 0) + 1,
  );
  if (bad.length)
    throw new JobFailure(`Could not settle ${bad.length} tunnel(s): ${bad.map((d) => `${d.tunnelId}: ${d.reason}`).join("; ")}`);
  return { decisions };
}

async function decide(tunnelId: string): Promise<RecoveryDecision> {
  const snap = await getRotationSnapshot(tunnelId);
  if (!snap) return { action: "none", reason: "the tunnel no longer exists" };
  return decideRecovery({
    deployState: snap.deployState,
    activeVersion: snap.keys.find((k) => k.status === "active")?.version ?? null,
    pendingVersions: snap.keys.filter((k) => k.status === "pending").map((k) => k.version),
    ends: snap.ends.map((e) => ({ role: e.role as EndRole, appliedPskVersion: e.appliedPskVersion })),
  });
}
