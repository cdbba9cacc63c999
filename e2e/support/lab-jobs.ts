// For integration tests on lab routers: add tunnels through the app's use case and
// run jobs through the real job runner to their end.
export type Actor = { id: string; username: string };

export async function addLabTunnel(
  actor: Actor,
  gatewayIds: Map<string, string>,
  t: { kind?: "net-to-net" | "host-to-host"; a: string; b: string; profile: string },
): Promise<string> {
  const { createTunnel } = await import("@/lib/inventory/host-tunnel");
  const { listCryptoProfiles } = await import("@/lib/db/inventory");
  const profile = (await listCryptoProfiles()).find((p) => p.name === t.profile);
  if (!profile) throw new Error(`no crypto profile named ${t.profile}`);
  const { tunnelId } = await createTunnel(actor, {
    kind: t.kind ?? "net-to-net",
    gatewayAId: gatewayIds.get(t.a)!,
    gatewayBId: gatewayIds.get(t.b)!,
    cryptoProfileId: profile.id,
  });
  return tunnelId;
}

/** Queues a job and waits (bounded) until it has finished; returns the job with steps and logs. */
export async function runJobToEnd(actor: Actor, kind: string, params: Record<string, unknown>, targetId = String(params.tunnelId ?? "")) {
  const { enqueueJob } = await import("@/lib/jobs/runtime");
  const { getJob } = await import("@/lib/db/jobs");
  const id = await enqueueJob({ kind, targetType: "tunnel", targetId, params, actor });
  for (let i = 0; i < 1800; i++) {
    const job = await getJob(id);
    if (job && job.status !== "queued" && job.status !== "running") return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} (${kind}) did not finish within 3 minutes`);
}

/** The tunnel's connection name on the routers (readable, stored on the tunnel: lib/rendering/connection-name). */
export async function connectionNameOf(tunnelId: string): Promise<string> {
  const { getDb } = await import("@/lib/db/client");
  const t = await getDb().tunnel.findUniqueOrThrow({ where: { id: tunnelId }, select: { connectionName: true } });
  if (!t.connectionName) throw new Error(`tunnel ${tunnelId} has no connection name yet`);
  return t.connectionName;
}
