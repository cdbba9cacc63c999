// Deploys one or more tunnels and proves each works (a hub with N tunnels is visited once
// per step, over one session):
//   plan-deploy (render, connect, read, diff) → bring-up-tunnels, each router and each
//   tunnel on its own as soon as its peers are ready: upload-changes (back up on the
//   router, arm commit-confirm, upload) → apply-ends (busier ends first, then the
//   initiating ones) → verify-tunnels (both ends up, LAN ping) → confirm-routers (disarm
//   the router's timer) → roll-back-tunnels for the tunnels that failed.
// A tunnel that fails at any point is rolled back on both routers (old files, old
// tunnel); the others stay. A tunnel is green only when both ends verify.
import "server-only";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import { recordTunnelDeployed, setTunnelDeployState } from "@/lib/db/gateways";
import { hashFiles } from "@/lib/deploy/plan";
import type { ConnectGateway } from "@/lib/deploy/connect";
import type { DeployBatch, TunnelRun } from "@/lib/deploy/deploy-batch";
import { planDeploy } from "@/lib/deploy/plan-deploy";
import { bringUpTunnels } from "@/lib/deploy/bring-up-tunnels";
import { rollBackTunnels } from "@/lib/deploy/roll-back-tunnels";
import { confirmRouters } from "@/lib/deploy/confirm-routers";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

export type DeployParams = { tunnelId?: string; tunnelIds?: string[]; dryRun?: boolean };

export function tunnelIdsOf(p: DeployParams): string[] {
  return [...new Set([...(p.tunnelIds ?? []), ...(p.tunnelId ? [p.tunnelId] : [])])];
}

export async function deployTunnels(ctx: JobContext<DeployParams>, connect: ConnectGateway) {
  const batch = await planDeploy(ctx, tunnelIdsOf(ctx.params), connect);
  const { runs, works, gateways } = batch;
  if (ctx.params.dryRun || !batch.alive().length) {
    await Promise.all(gateways.map((w) => w.io?.close()));
    if (!batch.alive().length) throw new JobFailure(summarize(runs));
    const changes = gateways.reduce((n, w) => n + (w.plan?.changes.length ?? 0), 0);
    await ctx.log("info", `Dry run: ${changes} file(s) would change; nothing was written.`);
    return { dryRun: true, changes };
  }

  await bringUpTunnels(ctx, batch, connect);

  const failed = runs.filter((r) => r.error);
  if (failed.length) {
    const which = failed.length === 1 ? "that tunnel on both gateways" : "those tunnels on their gateways";
    const why = failed.map((r) => `${r.label}: ${r.error}`).join("; ");
    await ctx.log("error", `${failed.length} of ${runs.length} tunnel(s) failed: ${why}. Rolling back ${which}.`);
    await rollBackTunnels(ctx, failed, works, connect);
  }
  await confirmRouters(ctx, batch, connect, "rolled-back");
  const succeeded = batch.alive();
  await recordDeployed(ctx, batch, succeeded);
  for (const r of failed) if (!r.wasDeployed) await setTunnelDeployState(r.id, "failed");
  await Promise.all(gateways.map((w) => w.io?.close()));
  if (failed.length) throw new JobFailure(summarize(runs));
  return { deployed: succeeded.map((r) => r.id) };
}

/** What each router now holds for these tunnels, and the audit, in one transaction. */
async function recordDeployed(ctx: JobContext<DeployParams>, batch: DeployBatch, succeeded: TunnelRun[]) {
  await runInTransaction(async (tx) => {
    for (const r of succeeded) {
      const ends = r.ends.map((e) => ({
        role: e.role,
        hash: hashFiles(batch.works.get(e.gatewayId)!.ownFiles.get(r.id) ?? []),
        pskVersion: r.pskVersion,
        connectionName: e.end.connectionName,
      }));
      await recordTunnelDeployed(tx, r.id, ends);
      await recordAudit(tx, ctx.actor, {
        action: "tunnel.deploy",
        targetType: "tunnel",
        targetId: r.id,
        summary: `Deployed ${r.label}; both ends verified`,
        after: { pskVersion: r.pskVersion, job: ctx.jobId },
      });
    }
  });
}

function summarize(runs: TunnelRun[]): string {
  const failed = runs.filter((r) => r.error);
  if (runs.length === 1) return failed[0]?.error ?? "";
  return `${failed.length} of ${runs.length} tunnel(s) failed and were rolled back: ${failed.map((r) => `${r.label}: ${r.error}`).join("; ")}`;
}
