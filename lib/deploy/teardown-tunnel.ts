// Takes a tunnel down on both gateways: stop it (the platform's teardown commands),
// remove its files, rewrite the files it shared with other tunnels, and reload the router.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { loadGatewayEnds, loadTunnelEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { runInTransaction } from "@/lib/db/client";
import { recordTunnelTornDown } from "@/lib/db/gateways";
import { recordAudit } from "@/lib/db/audit";
import { runCommands } from "@/lib/deploy/run-commands";
import type { ConnectGateway } from "@/lib/deploy/connect";

type DeployParams = { tunnelId: string };
import { JobFailure, type JobContext } from "@/lib/jobs/types";

async function tearDownEnd(ctx: JobContext<DeployParams>, target: RenderableEnd, connect: ConnectGateway) {
  const platform = getPlatform(target.platform);
  const log = (level: "info" | "warn" | "error", m: string) => ctx.log(level, m, target.gatewayName);
  const io = await ctx.step(`connect to ${target.gatewayName}`, target.gatewayId, () =>
    connect(target.gatewayId, ctx as JobContext<unknown>),
  );
  try {
    await ctx.step(`stop the tunnel on ${target.gatewayName}`, target.gatewayId, () =>
      runCommands(io, target.gatewayName, platform.teardownCommands(target.end), log),
    );
    await ctx.step(`remove its files on ${target.gatewayName}`, target.gatewayId, async () => {
      for (const f of platform.render(target.end).filter((f) => f.scope === "tunnel")) await io.removeFile(f.path);
      const others = (await loadGatewayEnds(target.gatewayId, { onlyDeployed: true }))
        .map((e) => e.end)
        .filter((e) => e.tunnelId !== target.end.tunnelId);
      if (others.length) {
        for (const f of renderGatewayFiles(platform, others).filter((f) => f.scope === "gateway")) await io.uploadFile(f);
      }
      await runCommands(io, target.gatewayName, platform.reloadCommands(), log);
      await log("info", "tunnel files removed");
    });
  } finally {
    await io.close();
  }
}

export async function teardownTunnel(ctx: JobContext<DeployParams>, connect: ConnectGateway) {
  const loaded = await loadTunnelEnds(ctx.params.tunnelId);
  if (!loaded) throw new JobFailure("The tunnel no longer exists.");
  ctx.addSecret(loaded.ends[0].end.psk);
  const results = await Promise.allSettled(loaded.ends.map((t) => tearDownEnd(ctx, t, connect)));
  const failed = results.flatMap((r, i) =>
    r.status === "rejected" ? [`${loaded.ends[i]!.gatewayName}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : [],
  );
  await runInTransaction(async (tx) => {
    await recordTunnelTornDown(tx, ctx.params.tunnelId, failed.length === 0);
    await recordAudit(tx, ctx.actor, {
      action: "tunnel.teardown",
      targetType: "tunnel",
      targetId: ctx.params.tunnelId,
      summary: failed.length ? `Teardown failed: ${failed.join("; ")}` : "Tore the tunnel down on both gateways",
    });
  });
  if (failed.length) throw new JobFailure(`Teardown failed on ${failed.join("; ")}`);
  return { tornDown: true };
}
