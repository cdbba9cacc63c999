// Writes for the inventory: the snapshot that validation needs (read inside the
// same transaction as the write) and the inserts for branch offices and tunnels.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";
import { readableConnectionName } from "@/lib/rendering/connection-name";

/** The snapshot outside a write, for checks that only read (the wizard's Next). */
export async function readInventorySnapshot() {
  return loadInventorySnapshot(getDb());
}

export async function loadInventorySnapshot(tx: Tx) {
  const [subnets, gateways, sites, profiles] = await Promise.all([
    tx.subnet.findMany({ select: { cidr: true, site: { select: { name: true } } } }),
    tx.gateway.findMany({
      select: {
        id: true,
        name: true,
        publicIp: true,
        platform: true,
        lanAddress: true,
        site: { select: { name: true, subnets: { select: { cidr: true } } } },
        tunnelEnds: {
          select: { interfaceName: true, tunnel: { select: { pairKey: true, cryptoProfile: { select: { name: true, spec: true } } } } },
        },
      },
    }),
    tx.site.findMany({ select: { name: true } }),
    tx.cryptoProfile.findMany({ select: { id: true, name: true, spec: true } }),
  ]);
  return { subnets, gateways, sites, profiles };
}

export type InventorySnapshot = Awaited<ReturnType<typeof loadInventorySnapshot>>;

export type NewGatewayRow = {
  id: string;
  name: string;
  platform: string;
  publicIp: string;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  sshAuthType: string;
  sshSecretEnc: string;
  sshCredentialId?: string | null;
  wanInterface: string;
  lanInterface: string;
  lanAddress: string;
  ipsecStack: string;
};

export async function insertSiteWithGateway(
  tx: Tx,
  data: { siteName: string; description: string; subnets: string[]; probeTarget?: string | null; gateway: NewGatewayRow },
) {
  const site = await tx.site.create({
    data: {
      name: data.siteName,
      description: data.description,
      probeTarget: data.probeTarget ?? null,
      subnets: { create: data.subnets.map((cidr) => ({ cidr })) },
      gateway: { create: data.gateway },
    },
    include: { gateway: { select: { id: true } } },
  });
  return { siteId: site.id, gatewayId: site.gateway!.id };
}

export type NewTunnelRow = {
  id: string;
  kind: "host-to-host" | "net-to-net";
  pairKey: string;
  cryptoProfileId: string;
  ends: { gatewayId: string; role: "a" | "b"; interfaceName: string }[];
  pskEnc: string;
};

export async function insertTunnel(tx: Tx, row: NewTunnelRow) {
  return tx.tunnel.create({
    data: {
      id: row.id,
      connectionName: await connectionNameFor(tx, row.id, row.ends),
      kind: row.kind,
      pairKey: row.pairKey,
      cryptoProfileId: row.cryptoProfileId,
      ends: { create: row.ends },
      keys: { create: { version: 1, secretEnc: row.pskEnc, status: "active", activatedAt: new Date() } },
    },
    select: { id: true },
  });
}

/** The readable router-side name, derived once from the two sites' names as they are now. */
async function connectionNameFor(tx: Tx, tunnelId: string, ends: { gatewayId: string; role: "a" | "b" }[]): Promise<string> {
  const gateways = await tx.gateway.findMany({
    where: { id: { in: ends.map((e) => e.gatewayId) } },
    select: { id: true, site: { select: { name: true } } },
  });
  const site = (role: "a" | "b") => gateways.find((g) => g.id === ends.find((e) => e.role === role)?.gatewayId)?.site.name ?? "";
  return readableConnectionName(tunnelId, site("a"), site("b"));
}

/** Names a tunnel from before readable names on its first deploy since (stable from then on). */
export async function ensureTunnelConnectionName(tunnelId: string): Promise<void> {
  const db = getDb();
  const t = await db.tunnel.findUnique({
    where: { id: tunnelId },
    select: { connectionName: true, ends: { select: { gatewayId: true, role: true } } },
  });
  if (!t || t.connectionName) return;
  const ends = t.ends.map((e) => ({ gatewayId: e.gatewayId, role: e.role === "a" ? ("a" as const) : ("b" as const) }));
  const name = await connectionNameFor(db, tunnelId, ends);
  await db.tunnel.updateMany({ where: { id: tunnelId, connectionName: null }, data: { connectionName: name } });
}
