// Rows a PSK rotation reads and writes: key versions (pending → active / retired),
// which version each router holds (TunnelEnd.appliedPskVersion), and the tunnels a
// bulk rotation covers. Ciphertexts only; lib/rotation encrypts and decrypts.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

export async function getRotationSnapshot(tunnelId: string) {
  return getDb().tunnel.findUnique({
    where: { id: tunnelId },
    select: {
      id: true,
      deployState: true,
      ends: { select: { role: true, gatewayId: true, appliedPskVersion: true } },
      keys: { where: { status: { in: ["active", "pending"] } }, select: { version: true, status: true } },
    },
  });
}

export async function getMaxPskVersion(tunnelId: string): Promise<number> {
  const k = await getDb().presharedKey.findFirst({ where: { tunnelId }, orderBy: { version: "desc" }, select: { version: true } });
  return k?.version ?? 0;
}

/** A new key row, pending until both ends verified it. */
export async function createPendingKey(tunnelId: string, version: number, secretEnc: string) {
  await getDb().presharedKey.create({ data: { tunnelId, version, secretEnc, status: "pending" } });
}

/** Written right after a router received a key file: recovery trusts it. */
export async function recordEndPskVersion(tunnelId: string, role: string, version: number) {
  await getDb().tunnelEnd.update({ where: { tunnelId_role: { tunnelId, role } }, data: { appliedPskVersion: version } });
}

/** The new version becomes active and every other active one retired, in the caller's transaction. */
export async function activateKey(tx: Tx, tunnelId: string, version: number) {
  const now = new Date();
  await tx.presharedKey.updateMany({
    where: { tunnelId, status: "active", version: { not: version } },
    data: { status: "retired", retiredAt: now },
  });
  const r = await tx.presharedKey.updateMany({
    where: { tunnelId, version, status: "pending" },
    data: { status: "active", activatedAt: now },
  });
  if (r.count !== 1) throw new Error(`key v${version} of tunnel ${tunnelId} is not pending`);
}

/** A pending key that never became active: retired without an activation date. */
export async function abandonPendingKeys(tx: Tx, tunnelId: string, versions: number[]) {
  if (!versions.length) return;
  await tx.presharedKey.updateMany({
    where: { tunnelId, version: { in: versions }, status: "pending" },
    data: { status: "retired", retiredAt: new Date() },
  });
}

export async function listTunnelsForRotation(filter: { siteId?: string; tunnelIds?: string[] }) {
  return getDb().tunnel.findMany({
    where: {
      ...(filter.tunnelIds ? { id: { in: filter.tunnelIds } } : {}),
      ...(filter.siteId ? { ends: { some: { gateway: { siteId: filter.siteId } } } } : {}),
    },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      deployState: true,
      ends: { orderBy: { role: "asc" }, select: { gatewayId: true, gateway: { select: { name: true, hostKeyFingerprint: true } } } },
    },
  });
}

/** Gateways a set of tunnels touches (the rotate job locks all of them). */
export async function getGatewayIdsOfTunnels(tunnelIds: string[]): Promise<string[]> {
  const ends = await getDb().tunnelEnd.findMany({ where: { tunnelId: { in: tunnelIds } }, select: { gatewayId: true } });
  return [...new Set(ends.map((e) => e.gatewayId))];
}

/** Kinds the tunnel page's Deployment card follows (rotation and repair have their own cards). */
export const DEPLOY_JOB_KINDS = ["deploy", "plan", "teardown"];

export async function getLatestJobOfKinds(targetType: string, targetId: string, kinds: string[]) {
  return getDb().job.findFirst({
    where: { targetType, targetId, kind: { in: kinds } },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
}

/** What the tunnel page needs to tell a stuck rotation: pending keys, the rotation jobs running now, the latest recovery. */
export async function getStuckRotationRows(tunnelId: string) {
  const db = getDb();
  const [tunnel, running, recovery] = await Promise.all([
    db.tunnel.findUnique({
      where: { id: tunnelId },
      select: {
        deployState: true,
        ends: { select: { role: true, appliedPskVersion: true, gateway: { select: { name: true } } }, orderBy: { role: "asc" } },
        keys: { where: { status: { in: ["active", "pending"] } }, select: { version: true, status: true, createdAt: true } },
      },
    }),
    // A rotation or repair at work on this tunnel now (its params name the tunnel).
    db.job.count({ where: { status: "running", kind: { in: ["rotate", "rotate-recover", "repair"] }, params: { contains: tunnelId } } }),
    db.job.findFirst({
      where: { kind: "rotate-recover", targetType: "tunnel", targetId: tunnelId },
      orderBy: { createdAt: "desc" },
      select: { id: true, status: true, params: true, error: true },
    }),
  ]);
  return tunnel ? { ...tunnel, running, recovery } : null;
}
