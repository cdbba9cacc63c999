// The last phase of a deploy that went wrong for some tunnels: each of their routers that
// was written to or applied gets its old files and tunnels back, the others are left as
// they are, and a tunnel that worked before the deploy is proven to work again.
import "server-only";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import { connectionLost, gatewayLog, message, type TunnelRun } from "@/lib/deploy/deploy-batch";
import { filesToPush } from "@/lib/deploy/files-to-push";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { verifyTunnels } from "@/lib/deploy/verify-tunnels";
import type { JobContext } from "@/lib/jobs/types";
import type { CleanupParams } from "@/lib/deploy/clean-up-gateway";

type Ctx = JobContext<unknown>;

/** Queues the cleanup of a router the deploy could not roll back (lib/deploy/clean-up-gateway). */
async function queueCleanup(ctx: Ctx, gatewayId: string, what: Omit<CleanupParams, "gatewayId" | "afterJobId">): Promise<string> {
  // Imported when needed: the job runtime imports the job definitions, which import this module.
  const { enqueueJob } = await import("@/lib/jobs/runtime");
  return enqueueJob({
    kind: "cleanup",
    targetType: "gateway",
    targetId: gatewayId,
    params: { gatewayId, ...what, afterJobId: ctx.jobId } satisfies CleanupParams,
    actor: ctx.actor,
  });
}

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
  /** Routers that cannot be reached now: a cleanup job rolls each back when it answers again. */
  const unreachable = new Map<string, { name: string; jobId: string }>();
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
      if (!connectionLost(e, w.io)) {
        await ctx.log("error", `Could not roll back ${w.name}: ${message(e)}. ${kept}`, w.name);
        continue;
      }
      // Lost SSH and no new session: the router keeps what it got until it answers again.
      const mine = w.ends.filter((x) => failedIds.has(x.end.tunnelId)).map((x) => x.end.tunnelId);
      const ownPaths = new Set(mine.flatMap((id) => (w.ownFiles.get(id) ?? []).map((f) => f.path)));
      const sharedPaths = new Set(w.sharedFiles.map((f) => f.path));
      const files = w.written.filter((c) => ownPaths.has(c.path) || sharedPaths.has(c.path));
      const jobId = await queueCleanup(ctx, w.gatewayId, {
        remove: mine.filter((id) => neverDeployed.has(id)),
        restore: mine.filter((id) => !neverDeployed.has(id)),
        created: [...new Set(files.filter((c) => c.before === null).map((c) => c.path))],
        changed: [
          ...new Map(
            files.filter((c) => c.before !== null).map((c) => [c.path, { path: c.path, mode: c.mode, secret: c.secret }]),
          ).values(),
        ],
      });
      unreachable.set(w.gatewayId, { name: w.name, jobId });
      await ctx.log(
        "error",
        `Lost the SSH connection to ${w.name} and could not connect again (${message(e)}): cleanup job ${jobId} is queued and rolls ${w.name} back as soon as it answers again. ${kept}`,
        w.name,
      );
    }
  }
  // Every router of these tunnels holds them under their old names again (rolled back, or never touched).
  for (const w of works.values()) w.backToOldNames(failedIds);
  const restored = failed.filter((r) => r.wasDeployed);
  if (!restored.length) return;
  // A tunnel with an end on a router that cannot be reached cannot be proven up (nor down) now.
  const unverifiable = (r: TunnelRun) => r.ends.map((e) => unreachable.get(e.gatewayId)).find((u) => u !== undefined);
  for (const r of restored) {
    const u = unverifiable(r);
    if (u)
      await ctx.log("warn", `${r.label}: not verified after the rollback: lost the SSH connection to ${u.name} (cleanup job ${u.jobId}).`);
  }
  // These tunnels worked before: prove the restored ones work again.
  const probe = restored.filter((r) => !unverifiable(r)).map((r) => ({ ...r, error: null }));
  if (!probe.length) return;
  await verifyTunnels(ctx, probe, works, (r, why) => (r.error = why));
  for (const r of probe) {
    if (r.error) await ctx.log("error", `${r.label} did not come back up after the rollback: ${r.error}`);
    else await ctx.log("info", `${r.label}: the previous tunnel is up again.`);
  }
}
