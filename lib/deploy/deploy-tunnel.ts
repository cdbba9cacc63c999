// Deploys one tunnel to both of its gateways and proves it works:
//   connect → read current files (diff in the log) → back up on the router → upload
//   → apply (second end last) → verify both ends (+ LAN-to-LAN ping) → record.
// Any failure after the first write rolls both routers back to their old files and
// old tunnel, and the job says what failed. Green only when both ends verify.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { RenderError, type RenderedFile } from "@/lib/platforms/contract";
import { loadGatewayEnds, loadTunnelEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import { getTunnelDeployState, recordTunnelDeployed, setTunnelDeployState } from "@/lib/db/gateways";
import { describeChanges, hashFiles } from "@/lib/deploy/plan";
import { EndWork } from "@/lib/deploy/end-work";
import { checkEnd, pingThroughTunnel, waitFor } from "@/lib/deploy/verify";
import type { RouterIO } from "@/lib/deploy/router-io";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

export type DeployParams = { tunnelId: string; dryRun?: boolean };
export type ConnectGateway = (gatewayId: string, ctx: JobContext<unknown>) => Promise<RouterIO>;

const VERIFY_TIMEOUT_MS = 20_000;

/** The files this deploy writes on one gateway: the tunnel's own, and the shared ones. */
async function desiredFilesFor(target: RenderableEnd, ctx: JobContext<DeployParams>): Promise<RenderedFile[]> {
  const platform = getPlatform(target.platform);
  try {
    const own = platform.render(target.end).filter((f) => f.scope === "tunnel");
    const all = (await loadGatewayEnds(target.gatewayId)).map((e) => e.end);
    for (const e of all) ctx.addSecret(e.psk);
    const others = all.filter((e) => e.tunnelId !== target.end.tunnelId);
    const shared = renderGatewayFiles(platform, [...others, target.end]).filter((f) => f.scope === "gateway");
    return [...own, ...shared];
  } catch (e) {
    if (e instanceof RenderError) throw new JobFailure(`${target.gatewayName}: the configuration cannot be rendered: ${e.message}`);
    throw e;
  }
}

export async function deployTunnel(ctx: JobContext<DeployParams>, connect: ConnectGateway) {
  const loaded = await loadTunnelEnds(ctx.params.tunnelId);
  if (!loaded) throw new JobFailure("The tunnel no longer exists.");
  const wasDeployed = (await getTunnelDeployState(ctx.params.tunnelId))?.deployState === "deployed";
  const [first, second] = loaded.ends;
  ctx.addSecret(first.end.psk);
  const works = [new EndWork(first, await desiredFilesFor(first, ctx)), new EndWork(second, await desiredFilesFor(second, ctx))] as const;
  const logFor = (w: EndWork) => (level: "info" | "warn" | "error", m: string) => ctx.log(level, m, w.name);
  await ctx.log("info", `Deploying ${loaded.tunnel.kind} tunnel ${first.gatewayName} (${first.end.interfaceName}) ↔ ${second.gatewayName} (${second.end.interfaceName}), PSK version ${loaded.pskVersion}`);

  try {
    await Promise.all(
      works.map(async (w) => {
        w.io = await ctx.step(`connect to ${w.name}`, w.target.gatewayId, () => connect(w.target.gatewayId, ctx as JobContext<unknown>));
        const plan = await ctx.step(`read current files on ${w.name}`, w.target.gatewayId, () => w.readCurrent());
        await ctx.log("info", `${plan.changes.length} file(s) to write, ${plan.unchanged.length} unchanged:\n${describeChanges(plan, [])}`, w.name);
      }),
    );
  } catch (e) {
    await Promise.all(works.map((w) => w.io?.close()));
    throw e; // nothing was written yet
  }
  if (ctx.params.dryRun) {
    await Promise.all(works.map((w) => w.io?.close()));
    const changes = works.reduce((n, w) => n + (w.plan?.changes.length ?? 0), 0);
    await ctx.log("info", `Dry run: ${changes} file(s) would change; nothing was written.`);
    return { dryRun: true, changes };
  }

  try {
    await Promise.all(
      works.map(async (w) => {
        const n = await ctx.step(`back up on ${w.name}`, w.target.gatewayId, () => w.backUp(ctx.jobId));
        await ctx.log("info", `backed up ${n} file(s) under /var/lib/gatewarden/backups/${ctx.jobId}`, w.name);
        await ctx.step(`upload to ${w.name}`, w.target.gatewayId, () => w.upload());
      }),
    );
    // The second end is applied last: its bring-up finds the first already configured.
    await ctx.step(`apply on ${works[1].name}`, works[1].target.gatewayId, () => works[1].apply(logFor(works[1]), true));
    await ctx.step(`apply on ${works[0].name}`, works[0].target.gatewayId, () => works[0].apply(logFor(works[0]), false));
    await verifyBoth(ctx, works);
  } catch (e) {
    await ctx.log("error", `Deploy failed: ${e instanceof Error ? e.message : String(e)}. Rolling back both gateways.`);
    await rollBackBoth(ctx, works, connect, wasDeployed);
    await Promise.all(works.map((w) => w.io?.close()));
    if (!wasDeployed) await setTunnelDeployState(ctx.params.tunnelId, "failed");
    throw e instanceof JobFailure ? e : new JobFailure(e instanceof Error ? e.message : String(e));
  }

  await runInTransaction(async (tx) => {
    await recordTunnelDeployed(tx, ctx.params.tunnelId, works.map((w) => ({ role: w.target.role, hash: hashFiles(w.desired), pskVersion: loaded.pskVersion })));
    await recordAudit(tx, ctx.actor, {
      action: "tunnel.deploy",
      targetType: "tunnel",
      targetId: ctx.params.tunnelId,
      summary: `Deployed to ${first.gatewayName} and ${second.gatewayName}; both ends verified`,
      after: { pskVersion: loaded.pskVersion, job: ctx.jobId },
    });
  });
  await Promise.all(works.map((w) => w.io?.close()));
  return { verified: true, pskVersion: loaded.pskVersion };
}

async function verifyBoth(ctx: JobContext<DeployParams>, works: readonly [EndWork, EndWork]) {
  await Promise.all(
    works.map((w) =>
      ctx.step(`verify ${w.name}`, w.target.gatewayId, async () => {
        const check = await waitFor(() => checkEnd(w.io!, w.platform, w.target.end), (c) => c.ok, VERIFY_TIMEOUT_MS);
        await ctx.log(check.ok ? "info" : "error", `${check.reason}. ip route list:\n${check.routesText || "(none)"}`, w.name);
        if (!check.ok) throw new JobFailure(`${w.name}: the tunnel did not come up within ${VERIFY_TIMEOUT_MS / 1000} s (${check.reason})`);
      }),
    ),
  );
  if (works[0].target.end.kind === "net-to-net") {
    await ctx.step(`ping through the tunnel from ${works[0].name}`, works[0].target.gatewayId, async () => {
      const ping = await waitFor(() => pingThroughTunnel(works[0].io!, works[0].target.end), (p) => p.ok, 10_000, 1000);
      await ctx.log(ping.ok ? "info" : "error", ping.summary, works[0].name);
      if (!ping.ok) throw new JobFailure(`${works[0].name}: no answer through the tunnel (${ping.summary})`);
    });
  }
}

async function rollBackBoth(ctx: JobContext<DeployParams>, works: readonly [EndWork, EndWork], connect: ConnectGateway, wasDeployed: boolean) {
  const touched = works.filter((w) => w.written.length > 0 || w.applied);
  for (const [i, w] of touched.entries()) {
    try {
      await ctx.step(`roll back ${w.name}`, w.target.gatewayId, async () => {
        if (!w.io?.isAlive) {
          await w.io?.close();
          w.io = await connect(w.target.gatewayId, ctx as JobContext<unknown>);
        }
        await w.rollBack((level, m) => ctx.log(level, m, w.name), i === 0 && touched.length === 2);
      });
    } catch (e) {
      await ctx.log("error", `Could not roll back ${w.name}: ${e instanceof Error ? e.message : String(e)}. Its files from before are kept under /var/lib/gatewarden/backups/${ctx.jobId}.`, w.name);
    }
  }
  if (!wasDeployed) return;
  // The tunnel was working before: prove the restored one works again.
  try {
    await verifyBoth(ctx, works);
    await ctx.log("info", "The previous tunnel is up again.");
  } catch {
    await ctx.log("error", "The previous tunnel did not come back up after the rollback; check both routers.");
  }
}
