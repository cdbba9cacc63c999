// Starting deploys, dry runs and teardowns: checks that the work can start (both
// host keys pinned) and queues the job; the job itself runs in the background.
import "server-only";
import { getTunnel } from "@/lib/db/inventory";
import { getGatewayTunnelsForRender } from "@/lib/db/render-queries";
import { enqueueJob } from "@/lib/jobs/runtime";
import type { AuditActor } from "@/lib/db/audit";
import { AppError } from "@/lib/errors";

export type TunnelJobKind = "deploy" | "plan" | "teardown";

export async function startTunnelJob(actor: AuditActor, tunnelId: string, kind: TunnelJobKind): Promise<string> {
  const tunnel = await getTunnel(tunnelId);
  if (!tunnel) throw new AppError("not_found", "This tunnel no longer exists.");
  const unpinned = tunnel.ends.filter((e) => !e.gateway.hostKeyFingerprint).map((e) => e.gateway.name);
  if (unpinned.length) {
    throw new AppError(
      "host_key",
      `Accept the SSH host key of ${unpinned.join(" and ")} on the gateway page first; Gatewarden only talks to gateways whose key is pinned.`,
    );
  }
  return enqueueJob({ kind, targetType: "tunnel", targetId: tunnelId, params: { tunnelId }, actor });
}

/** One deploy job for every tunnel of the gateway that is not deployed (the gateway is visited once). */
export async function deployPendingOnGateway(actor: AuditActor, gatewayId: string): Promise<{ jobId: string; tunnels: number }> {
  const tunnels = await getGatewayTunnelsForRender(gatewayId);
  const pending = tunnels.filter((t) => t.deployState !== "deployed");
  if (!pending.length) throw new AppError("nothing", "Every tunnel of this gateway is deployed.");
  const unpinned = [...new Set(pending.flatMap((t) => t.ends.filter((e) => !e.gateway.hostKeyFingerprint).map((e) => e.gateway.name)))];
  if (unpinned.length) throw new AppError("host_key", `Accept the SSH host key of ${unpinned.join(", ")} first.`);
  const jobId = await enqueueJob({
    kind: "deploy",
    targetType: "gateway",
    targetId: gatewayId,
    params: { tunnelIds: pending.map((t) => t.id) },
    actor,
  });
  return { jobId, tunnels: pending.length };
}
