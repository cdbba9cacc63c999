// The `repair` job: the one button that brings a tunnel back to the key the database
// calls active, whatever a failed or stuck rotation left on its routers. The active
// key's files go to BOTH ends again, both switch to it (a new IKE SA on both ends,
// initiated if the tunnel is down), the LAN ping answers; only then are the pending
// versions retired. Same engine as rotation and revert (applyKeyVersion); audited.
import "server-only";
import { getRotationSnapshot } from "@/lib/db/rotation";
import { recordAudit } from "@/lib/db/audit";
import { runInTransaction } from "@/lib/db/client";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { revertTunnels } from "@/lib/rotation/revert-tunnels";
import { takeOverKeyTimers } from "@/lib/rotation/key-timers";
import { inSessionBatches, rotationBatches, tunnelPairs } from "@/lib/rotation/rotation-batches";

export type RepairParams = { tunnelId: string };

export async function repairTunnel(ctx: JobContext<RepairParams>, connect: ConnectGateway) {
  const { tunnelId } = ctx.params;
  const snap = await getRotationSnapshot(tunnelId);
  if (!snap) throw new JobFailure("This tunnel no longer exists.");
  if (snap.deployState !== "deployed") throw new JobFailure(`The tunnel is ${snap.deployState}, not deployed: deploy it instead.`);
  const active = snap.keys.find((k) => k.status === "active")?.version;
  if (active === undefined) throw new JobFailure("The tunnel has no active key.");
  const pending = snap.keys.filter((k) => k.status === "pending").map((k) => k.version);
  const held = snap.ends.map((e) => `${e.role}: ${e.appliedPskVersion === null ? "unknown" : `v${e.appliedPskVersion}`}`).join(", ");
  await ctx.log(
    "info",
    `Repair: putting the active key v${active} on both ends (recorded ${held}; pending ${pending.length ? pending.map((v) => `v${v}`).join(", ") : "none"})`,
  );
  let result: { ok: boolean; error?: string } = { ok: false, error: "not run" };
  await inSessionBatches(ctx, connect, rotationBatches(await tunnelPairs([tunnelId])), async (ids, sessions) => {
    for (const id of ids) await takeOverKeyTimers(ctx, sessions, id);
    const results = await revertTunnels(
      ctx,
      sessions,
      ids.map((id) => ({ tunnelId: id, oldVersion: active, abandon: pending, switchKeys: true, why: "repair" })),
    );
    const r = results.get(tunnelId);
    result = r ? (r.ok ? { ok: true } : { ok: false, error: r.error }) : result;
  });
  await runInTransaction((tx) =>
    recordAudit(tx, ctx.actor, {
      action: "tunnel.repair",
      targetType: "tunnel",
      targetId: tunnelId,
      summary: result.ok
        ? `Repaired: both ends run the active key v${active}${pending.length ? `; pending ${pending.map((v) => `v${v}`).join(", ")} retired` : ""}`
        : `Repair failed: ${ctx.redact(result.error ?? "unknown error")}`,
      before: { appliedPskVersions: snap.ends.map((e) => e.appliedPskVersion), pending },
      after: { result: result.ok ? "repaired" : "failed", pskVersion: active, job: ctx.jobId },
    }),
  );
  if (!result.ok) throw new JobFailure(`Repair failed: ${result.error}`);
  return { pskVersion: active, retired: pending };
}
