// Writes for the inventory: the snapshot that validation needs (read inside the
// same transaction as the write) and the inserts for branch offices and tunnels.
import "server-only";
import type { Tx } from "@/lib/db/client";

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
  data: { siteName: string; description: string; subnets: string[]; gateway: NewGatewayRow },
) {
  const site = await tx.site.create({
    data: {
      name: data.siteName,
      description: data.description,
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
      kind: row.kind,
      pairKey: row.pairKey,
      cryptoProfileId: row.cryptoProfileId,
      ends: { create: row.ends },
      keys: { create: { version: 1, secretEnc: row.pskEnc, status: "active", activatedAt: new Date() } },
    },
    select: { id: true },
  });
}
