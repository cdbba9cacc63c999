// The first phase of a deploy: load the tunnels, render each router's files, connect and
// read what the router has, and log the plan (a diff per router). Nothing is written
// yet, so a router that cannot be rendered, reached or read drops its tunnels here and
// the other routers are planned again without them.
import "server-only";
import { RenderError } from "@/lib/platforms/contract";
import { loadTunnelEnds } from "@/lib/rendering/load-ends";
import { getTunnelDeployState } from "@/lib/db/gateways";
import { ensureTunnelConnectionName } from "@/lib/db/inventory-write";
import { describeChanges } from "@/lib/deploy/plan";
import { GatewayWork } from "@/lib/deploy/gateway-work";
import { DeployBatch, message, type TunnelRun } from "@/lib/deploy/deploy-batch";
import { filesToPush } from "@/lib/deploy/files-to-push";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { gatewayLoad, lighterEnd } from "@/lib/deploy/fleet-plan";
import { parallelGateways } from "@/lib/config/env";
import { mapBounded } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

type Ctx = JobContext<unknown>;

export async function planDeploy(ctx: Ctx, tunnelIds: string[], connect: ConnectGateway): Promise<DeployBatch> {
  const runs = await loadRuns(ctx, tunnelIds);
  const works = new Map<string, GatewayWork>();
  for (const e of runs.flatMap((r) => r.ends)) {
    const w = works.get(e.gatewayId);
    if (w) w.ends.push(e);
    else works.set(e.gatewayId, new GatewayWork(e.gatewayId, e.gatewayName, [e], new Map(), []));
  }
  const batch = new DeployBatch(runs, works);
  const { gateways } = batch;
  await ctx.log("info", `Deploying ${runs.length} tunnel(s) to ${gateways.length} gateway(s): ${runs.map((r) => r.label).join(", ")}`);

  for (const w of gateways) {
    try {
      await render(ctx, w, new Set());
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      batch.failGateway(w, `${w.name}: the configuration cannot be rendered: ${e.message}`);
    }
  }
  await mapBounded(
    gateways.filter((w) => w.ends.some((e) => !batch.runOf(e).error)),
    parallelGateways(),
    async (w) => {
      try {
        w.io = await ctx.step(`connect to ${w.name}`, w.gatewayId, () => connect(w.gatewayId, ctx));
        await ctx.step(`read current files on ${w.name}`, w.gatewayId, () => w.readCurrent());
      } catch (e) {
        batch.failGateway(w, message(e));
      }
    },
  );
  // A dropped tunnel's files must not be written, nor named in the shared files of its routers.
  if (batch.dropped().size) {
    for (const w of gateways.filter((w) => w.io)) {
      await render(ctx, w, batch.dropped());
      w.replan();
    }
  }
  for (const w of gateways.filter((w) => w.plan && w.io)) {
    await ctx.log(
      "info",
      `${w.plan!.changes.length} file(s) to write, ${w.plan!.unchanged.length} unchanged:\n${describeChanges(w.plan!, [])}`,
      w.name,
    );
  }
  return batch;
}

async function render(ctx: Ctx, w: GatewayWork, dropped: ReadonlySet<string>) {
  const f = await filesToPush(ctx, w.gatewayId, w.ends, dropped);
  w.ownFiles = f.own;
  w.retiredFiles = f.retired;
  w.sharedFiles = f.shared === "restore" ? [] : f.shared;
}

async function loadRuns(ctx: Ctx, tunnelIds: string[]): Promise<TunnelRun[]> {
  const runs: TunnelRun[] = [];
  for (const id of tunnelIds) {
    // A tunnel from before readable names gets its name now, once; the ends carry it,
    // and `previous` where a router still holds the old one (retired by this deploy).
    await ensureTunnelConnectionName(id);
    const loaded = await loadTunnelEnds(id, "active", "desired");
    if (!loaded) throw new JobFailure(`Tunnel ${id} no longer exists.`);
    ctx.addSecret(loaded.ends[0].end.psk);
    const [a, b] = loaded.ends;
    const wasDeployed = (await getTunnelDeployState(id))?.deployState === "deployed";
    const label = `${a.gatewayName} ↔ ${b.gatewayName}`;
    runs.push({ id, label, pskVersion: loaded.pskVersion, ends: loaded.ends, wasDeployed, error: null, lastRole: "a" });
  }
  if (!runs.length) throw new JobFailure("No tunnel to deploy.");
  // The end on the less busy router goes second: it initiates, and it pings.
  const pairs = runs.map((r) => ({ tunnelId: r.id, a: r.ends[0].gatewayId, b: r.ends[1].gatewayId }));
  const load = gatewayLoad(pairs);
  // The end that starts the tunnel (as rendered: the other one only answers) goes last and
  // initiates; the batch's lighter end where the ends do not say.
  runs.forEach((r, i) => (r.lastRole = r.ends.find((e) => e.end.initiates === true)?.role ?? lighterEnd(pairs[i]!, load)));
  return runs;
}
