// The per-tunnel values GET /metrics serves that outlive a health round (TunnelMetrics
// rows): written by whichever instance ran the round, read by every instance. Two
// instances may write for one tunnel at once (the leader's round and a "Check now"
// elsewhere), so a write only lands if the row is still the one it was computed from.
import "server-only";
import { getDb } from "@/lib/db/client";
import { addReading, type SaReading, type TrafficState } from "@/lib/metrics/traffic-totals";

export type TunnelCheck = {
  at: Date;
  /** Both gateways answered over SSH (the tunnel was judged, whatever its state). */
  reached: boolean;
  latencyMs: number | null;
  lossPct: number | null;
  reading: SaReading | null;
};

const big = (n: number | null) => (n === null ? null : BigInt(Math.trunc(n)));
const num = (n: bigint | null) => (n === null ? null : Number(n));

type Row = NonNullable<Awaited<ReturnType<typeof readRow>>>;

function readRow(tunnelId: string) {
  return getDb().tunnelMetrics.findUnique({ where: { tunnelId } });
}

function stateOf(row: Row): TrafficState {
  const last: SaReading | null = row.saRole
    ? {
        role: row.saRole === "b" ? "b" : "a",
        spiIn: row.saSpiIn,
        spiOut: row.saSpiOut,
        bytesIn: num(row.rawBytesIn),
        bytesOut: num(row.rawBytesOut),
        packetsIn: num(row.rawPacketsIn),
        packetsOut: num(row.rawPacketsOut),
      }
    : null;
  return {
    observedAt: row.observedAt,
    last,
    totals: { bytesIn: row.bytesIn, bytesOut: row.bytesOut, packetsIn: row.packetsIn, packetsOut: row.packetsOut },
  };
}

function dataOf(next: TrafficState, check: TunnelCheck, previousOkAt: Date | null) {
  const l = next.last;
  return {
    observedAt: next.observedAt,
    checkedOkAt: check.reached ? check.at : previousOkAt,
    latencyMs: check.latencyMs,
    lossPct: check.lossPct,
    saRole: l?.role ?? null,
    saSpiIn: l?.spiIn ?? null,
    saSpiOut: l?.spiOut ?? null,
    rawBytesIn: big(l?.bytesIn ?? null),
    rawBytesOut: big(l?.bytesOut ?? null),
    rawPacketsIn: big(l?.packetsIn ?? null),
    rawPacketsOut: big(l?.packetsOut ?? null),
    ...next.totals,
  };
}

/**
 * A write that lost its race tries again at most this often. A loss means another check
 * landed first, so the row only moves forward: a check is either written or found older
 * than the stored one (nothing to write) after as many losses as there were checks racing
 * it, which a crowd of instances and "Check now" clicks can make more than a handful.
 */
const MAX_ATTEMPTS = 100;

/** Adds one round's check of a tunnel; false when a newer check was already stored (nothing written). */
export async function recordTunnelCheck(tunnelId: string, check: TunnelCheck): Promise<boolean> {
  const db = getDb();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // After a loss, a short random wait spreads the next reads of the racers apart.
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
    const row = await readRow(tunnelId);
    const next = addReading(row ? stateOf(row) : null, check.reading, check.at);
    if (!next) return false;
    const data = dataOf(next, check, row?.checkedOkAt ?? null);
    if (!row) {
      try {
        await db.tunnelMetrics.create({ data: { tunnelId, ...data } });
        return true;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "P2003") return false; // the tunnel was deleted during the round
        if (code !== "P2002") throw e; // P2002: another instance created it first; read again
        continue;
      }
    }
    const { count } = await db.tunnelMetrics.updateMany({ where: { tunnelId, observedAt: row.observedAt }, data });
    if (count === 1) return true;
  }
  throw new Error(`tunnel ${tunnelId}: its metrics row kept changing under ${MAX_ATTEMPTS} attempts to update it`);
}

/** Every tunnel with what /metrics reports about it: one query, whatever the fleet's size. */
export async function listTunnelMetricRows() {
  return getDb().tunnel.findMany({
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      deployState: true,
      healthState: true,
      healthAt: true,
      ends: {
        orderBy: { role: "asc" },
        select: { role: true, gateway: { select: { name: true, platform: true, site: { select: { name: true } } } } },
      },
      keys: { where: { status: "active" }, select: { createdAt: true, activatedAt: true } },
      metrics: {
        select: {
          observedAt: true,
          checkedOkAt: true,
          latencyMs: true,
          lossPct: true,
          bytesIn: true,
          bytesOut: true,
          packetsIn: true,
          packetsOut: true,
        },
      },
    },
  });
}

export type TunnelMetricRow = Awaited<ReturnType<typeof listTunnelMetricRows>>[number];

export async function listGatewayMetricRows() {
  return getDb().gateway.findMany({
    orderBy: { name: "asc" },
    select: { name: true, platform: true, reachability: true, lastContactAt: true, site: { select: { name: true } } },
  });
}

export type GatewayMetricRow = Awaited<ReturnType<typeof listGatewayMetricRows>>[number];

/** Jobs in the database per kind and status (queued, running, succeeded, failed, interrupted). */
export async function countJobsByKindAndStatus(): Promise<{ kind: string; status: string; count: number }[]> {
  const rows = await getDb().job.groupBy({ by: ["kind", "status"], _count: { _all: true } });
  return rows.map((r) => ({ kind: r.kind, status: r.status, count: r._count._all }));
}

/** The longest-running job's age per kind (stuck jobs), read from startedAt. */
export async function oldestRunningJobStart(): Promise<{ kind: string; startedAt: Date }[]> {
  const rows = await getDb().job.groupBy({ by: ["kind"], where: { status: "running" }, _min: { startedAt: true } });
  return rows.flatMap((r) => (r._min.startedAt ? [{ kind: r.kind, startedAt: r._min.startedAt }] : []));
}
