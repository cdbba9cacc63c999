// The last phase of a deploy that went wrong for some tunnels: each of their routers that
// was written to or applied gets its old files and tunnels back, the others are left as
// they are, and a tunnel that worked before the deploy is proven to work again.
import "server-only";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import { gatewayLog, message, type TunnelRun } from "@/lib/deploy/deploy-batch";
import { filesToPush } from "@/lib/deploy/files-to-push";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { verifyTunnels } from "@/lib/deploy/verify-tunnels";
import type { JobContext } from "@/lib/jobs/types";

type Ctx = JobContext<unknown>;

export async function rollBackTunnels(
  ctx: Ctx,
  failed: TunnelRun[],
  works: Map<string, GatewayWork>,
  connect: ConnectGateway,
): Promise<void> {
  const failedIds = new Set(failed.map((r) => r.id));
  // Tunnels new with this deploy leave the shared files; those that existed before are rendered back in.
  const neverDeployed = new Set(failed.filter((r) => !r.wasDeployed).map((r) => r.id));
  const touched = [...works.values()].filter(
    (w) => w.ends.some((e) => failedIds.has(e.end.tunnelId)) && (w.written.length || w.applied.size),
  );
  // In the order of applying (busier ends first), so a restored tunnel finds its peer ready.
  const isLast = (e: RenderableEnd) => failed.find((r) => r.id === e.end.tunnelId)?.lastRole === e.role;
  touched.sort((x, y) => Number(x.ends.some(isLast)) - Number(y.ends.some(isLast)));
  for (const w of touched) {
    try {
      await ctx.step(`roll back ${w.name}`, w.gatewayId, async () => {
        if (!w.io?.isAlive) {
          await w.io?.close();
          w.io = await connect(w.gatewayId, ctx);
        }
        // Gatewarden takes over from the router's commit-confirm timer first, so the two never restore at once.
        if (w.timer && (await w.confirm()) === "reverted") {
          await ctx.log(
            "warn",
            `${w.name} had already restored its previous configuration by itself (commit-confirm reverted): nothing to roll back there`,
            w.name,
          );
          return;
        }
        if (w.timer === null && w.written.length)
          await ctx.log("info", "commit-confirm: timer disarmed; Gatewarden rolls this router back itself", w.name);
        const mine = new Set(w.ends.filter((e) => failedIds.has(e.end.tunnelId)).map((e) => e.end.tunnelId));
        // Every tunnel this job brought here failed: the router's own copies of its shared files are exactly
        // what it needs back (rendering them from the database would render the failed change again, e.g. a
        // new profile's racoon.conf). Otherwise they are rendered for the tunnels that stay.
        const allFailedHere = w.ends.every((e) => failedIds.has(e.end.tunnelId));
        const { shared } = allFailedHere ? { shared: "restore" as const } : await filesToPush(ctx, w.gatewayId, w.ends, neverDeployed);
        const peerNext = (id: string) => {
          const e = w.ends.find((x) => x.end.tunnelId === id);
          return !!e && !isLast(e);
        };
        await w.rollBack(mine, shared, gatewayLog(ctx, w.name), peerNext);
      });
    } catch (e) {
      w.rollBackFailed = true;
      const timer = w.timer
        ? ` Its commit-confirm timer stays armed: the router restores them by itself at ${w.timer.deadline.toISOString()}.`
        : "";
      const kept = `Its files from before are kept under /var/lib/gatewarden/backups/${ctx.jobId}.${timer}`;
      await ctx.log("error", `Could not roll back ${w.name}: ${message(e)}. ${kept}`, w.name);
    }
  }
  const restored = failed.filter((r) => r.wasDeployed);
  if (!restored.length) return;
  // These tunnels worked before: prove the restored ones work again.
  const probe = restored.map((r) => ({ ...r, error: null }));
  await verifyTunnels(ctx, probe, works, (r, why) => (r.error = why));
  for (const r of probe) {
    if (r.error) await ctx.log("error", `${r.label} did not come back up after the rollback: ${r.error}`);
    else await ctx.log("info", `${r.label}: the previous tunnel is up again.`);
  }
}
