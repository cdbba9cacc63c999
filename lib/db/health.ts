// Health rows: what the poller visits, the samples it stores, each tunnel's current
// state (Tunnel.healthState/healthReason; healthAt is when the tunnel ENTERED that
// state — "since" — while the latest sample's `at` is the last check), and thinning.
import "server-only";
import { getDb } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/sqlite/client";

/** Deployed tunnels whose two gateways both have a pinned host key (others are not visited). */
export async function listHealthTargets(tunnelIds?: readonly string[]) {
  const tunnels = await getDb().tunnel.findMany({
    where: { deployState: "deployed", ...(tunnelIds ? { id: { in: [...tunnelIds] } } : {}) },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      kind: true,
      connectionName: true,
      healthState: true,
      cryptoProfile: { select: { spec: true } },
      ends: {
        select: {
          role: true,
          interfaceName: true,
          connectionName: true,
          gateway: {
            select: {
              id: true,
              name: true,
              platform: true,
              publicIp: true,
              lanAddress: true,
              ipsecStack: true,
              hostKeyFingerprint: true,
              site: { select: { name: true, probeTarget: true, subnets: { select: { cidr: true }, orderBy: { cidr: "asc" } } } },
            },
          },
        },
      },
    },
  });
  return tunnels.filter((t) => t.ends.length === 2 && t.ends.every((e) => e.gateway.hostKeyFingerprint));
}

export type HealthTarget = Awaited<ReturnType<typeof listHealthTargets>>[number];

/** Connection rows (with the encrypted credential, decrypted only in memory by lib/deploy/connect). */
export async function getGatewaysForConnection(ids: readonly string[]) {
  return getDb().gateway.findMany({
    where: { id: { in: [...ids] } },
    select: {
      id: true,
      name: true,
      platform: true,
      sshHost: true,
      sshPort: true,
      sshUser: true,
      sshAuthType: true,
      sshSecretEnc: true,
      // A named credential's current key (lib/credentials), used instead of sshSecretEnc.
      sshCredential: { select: { id: true, keyVersion: true, privateKeyEnc: true } },
      hostKeyFingerprint: true,
      // Management access as last recorded (by a job or by health): health re-checks when a job failed to connect.
      reachability: true,
      reachabilityAt: true,
    },
  });
}

/** Gateways a job holds right now: a round leaves them alone and keeps their tunnels' last state. */
export async function listLockedGatewayIds(): Promise<Set<string>> {
  const locks = await getDb().gatewayLock.findMany({ where: { expiresAt: { gt: new Date() } }, select: { gatewayId: true } });
  return new Set(locks.map((l) => l.gatewayId));
}

export async function getLatestSample(tunnelId: string) {
  return getDb().healthSample.findFirst({ where: { tunnelId }, orderBy: { at: "desc" } });
}

export type NewHealthSample = {
  state: string;
  reason: string;
  at: Date;
  latencyMs: number | null;
  lossPct: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
  packetsIn: number | null;
  packetsOut: number | null;
  ikeSpi: string | null;
  detail: string;
};

const big = (n: number | null) => (n === null ? null : BigInt(n));

/** One sample, and the tunnel's current state; `since` moves only when the state changes. */
export async function recordHealthSample(tunnelId: string, s: NewHealthSample) {
  await getDb().$transaction(async (tx) => {
    const current = await tx.tunnel.findUnique({
      where: { id: tunnelId },
      select: { healthState: true, healthAt: true, deployState: true },
    });
    if (!current) return; // deleted during the round
    if (current.deployState !== "deployed") return; // torn down during the round: its state says so already
    await tx.healthSample.create({
      data: {
        tunnelId,
        at: s.at,
        state: s.state,
        reason: s.reason,
        latencyMs: s.latencyMs,
        lossPct: s.lossPct,
        bytesIn: big(s.bytesIn),
        bytesOut: big(s.bytesOut),
        packetsIn: big(s.packetsIn),
        packetsOut: big(s.packetsOut),
        ikeSpi: s.ikeSpi,
        detail: s.detail,
      },
    });
    const changed = current.healthState !== s.state || !current.healthAt;
    await tx.tunnel.update({
      where: { id: tunnelId },
      data: { healthState: s.state, healthReason: s.reason, ...(changed ? { healthAt: s.at } : {}) },
    });
  });
}

/** Samples past the first hour, for the thinning choice (no detail column). */
export async function listAgedSamples(tunnelId: string, olderThan: Date) {
  return getDb().healthSample.findMany({ where: { tunnelId, at: { lt: olderThan } }, select: { id: true, at: true, state: true } });
}

export async function listTunnelIdsWithSamples(): Promise<string[]> {
  const rows = await getDb().healthSample.findMany({ distinct: ["tunnelId"], select: { tunnelId: true } });
  return rows.map((r) => r.tunnelId);
}

/** Deletes the chosen samples and drops the bulky detail of the hour-old ones kept. */
export async function deleteSamples(tunnelId: string, ids: readonly string[], detailOlderThan: Date): Promise<number> {
  const db = getDb();
  let deleted = 0;
  for (let i = 0; i < ids.length; i += 500) {
    deleted += (await db.healthSample.deleteMany({ where: { id: { in: ids.slice(i, i + 500) } } })).count;
  }
  await db.healthSample.updateMany({ where: { tunnelId, at: { lt: detailOlderThan }, detail: { not: null } }, data: { detail: null } });
  return deleted;
}

const num = (n: bigint | null) => (n === null ? null : Number(n));

/** The tunnel page's history: samples of the last `hours` (oldest first, without detail) and the latest detail. */
export async function getTunnelHealth(tunnelId: string, hours = 24) {
  const db = getDb();
  const since = new Date(Date.now() - hours * 3_600_000);
  const [tunnel, rows, latest] = await Promise.all([
    db.tunnel.findUnique({ where: { id: tunnelId }, select: { healthState: true, healthReason: true, healthAt: true, deployState: true } }),
    db.healthSample.findMany({
      where: { tunnelId, at: { gte: since } },
      orderBy: { at: "desc" },
      take: 1000,
      select: {
        at: true,
        state: true,
        reason: true,
        latencyMs: true,
        lossPct: true,
        bytesIn: true,
        bytesOut: true,
        packetsIn: true,
        packetsOut: true,
        ikeSpi: true,
      },
    }),
    db.healthSample.findFirst({ where: { tunnelId, detail: { not: null } }, orderBy: { at: "desc" }, select: { at: true, detail: true } }),
  ]);
  if (!tunnel) return null;
  const samples = rows.reverse().map((r) => ({
    ...r,
    bytesIn: num(r.bytesIn),
    bytesOut: num(r.bytesOut),
    packetsIn: num(r.packetsIn),
    packetsOut: num(r.packetsOut),
  }));
  return { ...tunnel, samples, latestDetail: latest };
}

const stateSelect = {
  id: true,
  healthState: true,
  healthReason: true,
  healthAt: true,
  ends: { orderBy: { role: "asc" as const }, select: { gateway: { select: { site: { select: { name: true } } } } } },
} as const;

/** Tunnels per health state (states without tunnels are absent): one aggregate, whatever the fleet's size. */
export async function countTunnelsByHealth(): Promise<Record<string, number>> {
  const rows = await getDb().tunnel.groupBy({ by: ["healthState"], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.healthState, r._count._all]));
}

/**
 * The first `take` tunnels in the given states, worst first: all of the first state
 * (longest-standing first) before any of the next. Reads only the rows it returns.
 */
export async function listWorstTunnels(states: readonly string[], take: number) {
  const rows = [];
  for (const healthState of states) {
    if (rows.length >= take) break;
    rows.push(
      ...(await getDb().tunnel.findMany({
        where: { healthState },
        orderBy: [{ healthAt: { sort: "asc", nulls: "last" } }, { id: "asc" }],
        take: take - rows.length,
        select: stateSelect,
      })),
    );
  }
  return rows;
}

export type TunnelStateRow = Awaited<ReturnType<typeof listWorstTunnels>>[number];

/** One tunnel's current state with its sites' names (the live view of a tunnel page). */
export async function getTunnelState(id: string) {
  return getDb().tunnel.findUnique({ where: { id }, select: stateSelect });
}

const mapTunnelSelect = {
  id: true,
  healthState: true,
  healthReason: true,
  ends: { orderBy: { role: "asc" as const }, select: { gatewayId: true } },
} as const;

function toMapTunnel(t: { id: string; healthState: string; healthReason: string | null; ends: { gatewayId: string }[] }) {
  return { id: t.id, state: t.healthState, reason: t.healthReason, a: t.ends[0]?.gatewayId ?? "", b: t.ends[1]?.gatewayId ?? "" };
}

/** Tunnels with both ends' gateway ids, for the full topology map of a small fleet. */
export async function listMapTunnels(take: number) {
  const rows = await getDb().tunnel.findMany({
    orderBy: { createdAt: "asc" },
    take,
    select: mapTunnelSelect,
  });
  return rows.map(toMapTunnel);
}

/**
 * Tunnel ends per gateway and health state, for the given gateways (the hubs). Raw SQL:
 * Prisma's groupBy cannot group by a relation's column, and its `ends: { some }` filter
 * becomes a correlated EXISTS that SQLite runs per tunnel (260 ms at 1,000 tunnels);
 * this join reads only the hubs' ends, through the gatewayId index. Portable SQL.
 */
export async function countEndsByHealth(gatewayIds: readonly string[]): Promise<{ gatewayId: string; state: string; count: number }[]> {
  if (gatewayIds.length === 0) return [];
  const rows = await getDb().$queryRaw<{ gatewayId: string; state: string; count: number | bigint }[]>`
    SELECT e."gatewayId" AS "gatewayId", t."healthState" AS "state", COUNT(*) AS "count"
    FROM "TunnelEnd" e JOIN "Tunnel" t ON t."id" = e."tunnelId"
    WHERE e."gatewayId" IN (${Prisma.join([...gatewayIds])})
    GROUP BY e."gatewayId", t."healthState"`;
  return rows.map((r) => ({ gatewayId: r.gatewayId, state: r.state, count: Number(r.count) }));
}

/** Tunnels with both ends among the given gateways (the links between hubs). */
export async function listTunnelsAmong(gatewayIds: readonly string[], take: number) {
  const rows = await getDb().tunnel.findMany({
    where: { ends: { every: { gatewayId: { in: [...gatewayIds] } } } },
    orderBy: { createdAt: "asc" },
    take,
    select: mapTunnelSelect,
  });
  return rows.map(toMapTunnel);
}

/** When the newest sample was stored: the live views refresh when it moves. */
export async function getLatestSampleTime(tunnelId?: string): Promise<Date | null> {
  const row = await getDb().healthSample.findFirst({ where: tunnelId ? { tunnelId } : {}, orderBy: { at: "desc" }, select: { at: true } });
  return row?.at ?? null;
}
