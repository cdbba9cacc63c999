// How the rotate and recover jobs split their tunnels: batches of at most
// MAX_GATEWAYS_PER_BATCH routers (a hub counts once), each batch over one SSH session
// per router that closes when the batch is done.
import "server-only";
import { getTunnelGatewayIds } from "@/lib/db/gateways";
import type { ConnectGateway } from "@/lib/deploy/connect";
import { chunkByGateways, type BatchTunnel } from "@/lib/deploy/fleet-plan";
import type { JobContext } from "@/lib/jobs/types";
import { SessionCache } from "@/lib/rotation/session-cache";

/** SSH sessions a rotation batch holds open at once (a hub counts once). */
export const MAX_GATEWAYS_PER_BATCH = 64;

/** The tunnels that still exist, once each, with their two gateways. */
export async function tunnelPairs(tunnelIds: string[]): Promise<BatchTunnel[]> {
  const out: BatchTunnel[] = [];
  for (const tunnelId of [...new Set(tunnelIds)]) {
    const g = await getTunnelGatewayIds(tunnelId);
    if (g.length === 2) out.push({ tunnelId, a: g[0]!, b: g[1]! });
  }
  return out;
}

export function rotationBatches(tunnels: BatchTunnel[]): BatchTunnel[][] {
  return chunkByGateways(tunnels, MAX_GATEWAYS_PER_BATCH);
}

/** `work` per batch, one after another, each with its own sessions. */
export async function inSessionBatches(
  ctx: JobContext<unknown>,
  connect: ConnectGateway,
  batches: BatchTunnel[][],
  work: (tunnelIds: string[], sessions: SessionCache) => Promise<void>,
): Promise<void> {
  for (const batch of batches) {
    const sessions = new SessionCache((g) => connect(g, ctx));
    try {
      await work(
        batch.map((t) => t.tunnelId),
        sessions,
      );
    } finally {
      await sessions.closeAll();
    }
  }
}
