// After a batch: every tunnel that dropped out past its first upload is put back on its
// old key on both ends (all of them together, through the same engine as the rotation),
// and its outcome and audit say whether that worked ("reverted") or not ("stuck").
import "server-only";
import type { JobContext } from "@/lib/jobs/types";
import { stopMeter } from "@/lib/rotation/commit-rotation";
import type { Run } from "@/lib/rotation/prepare-rotation";
import { revertTunnels } from "@/lib/rotation/revert-tunnels";
import { revertNeedsApply, transition, type RotationEvent } from "@/lib/rotation/rotation-state";
import { auditRotationFailure } from "@/lib/rotation/rotation-outcome";
import type { SessionCache } from "@/lib/rotation/session-cache";

export async function settleFailures(ctx: JobContext<unknown>, sessions: SessionCache, failed: Run[]): Promise<void> {
  if (!failed.length) return;
  const step = async (r: Run, e: RotationEvent) => {
    r.state = transition(r.state, e);
    const level = e.type === "failed" || e.type === "revert-failed" ? "error" : "info";
    await ctx.log(level, `${r.label}: ${r.state.phase}${e.type === "failed" ? ` (${e.reason})` : ""}`);
  };
  for (const r of failed) await step(r, { type: "failed", reason: r.error! });
  const results = await revertTunnels(
    ctx,
    sessions,
    failed.map((r) => ({
      tunnelId: r.tunnelId,
      oldVersion: r.oldVersion,
      abandon: [r.version],
      switchKeys: revertNeedsApply(r.state),
      // Before any key switch only the ends written to can differ: the others are not touched (they may be unreachable).
      only: [...r.touched].sort(),
      why: r.error!,
    })),
  );
  for (const r of failed) {
    const reverted = results.get(r.tunnelId) ?? { ok: false, error: "not reverted" };
    r.interruption = (await stopMeter(r).catch(() => undefined)) ?? r.interruption;
    await step(r, reverted.ok ? { type: "reverted" } : { type: "revert-failed", reason: reverted.error });
    const result = r.state.phase === "reverted" ? "reverted" : "stuck";
    await auditRotationFailure(ctx, r.tunnelId, r.label, r.state, result, r.interruption);
    const { tunnelId, label, oldVersion: fromVersion, interruption, proofs } = r;
    r.outcome = { tunnelId, label, result, fromVersion, toVersion: r.version, error: r.state.error ?? r.error, interruption, proofs };
  }
}
