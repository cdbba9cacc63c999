// What the renderers need from the database: tunnels with both gateways' addresses
// and subnets, the profile, and the envelope of the PSK version to render.
import "server-only";
import { getDb } from "@/lib/db/client";

const renderInclude = {
  cryptoProfile: { select: { spec: true, name: true } },
  ends: {
    include: {
      gateway: {
        select: {
          id: true,
          name: true,
          platform: true,
          publicIp: true,
          lanAddress: true,
          ipsecStack: true,
          hostKeyFingerprint: true,
          // How many tunnels the gateway has: the busier end answers, the other initiates.
          _count: { select: { tunnelEnds: true } },
          site: { select: { name: true, subnets: { select: { cidr: true }, orderBy: { cidr: "asc" as const } } } },
        },
      },
    },
  },
  keys: { where: { status: { in: ["active", "pending"] as string[] } }, select: { version: true, status: true, secretEnc: true } },
} as const;

export async function getTunnelForRender(tunnelId: string) {
  return getDb().tunnel.findUnique({ where: { id: tunnelId }, include: renderInclude });
}

/** Every tunnel with an end on this gateway (the gateway's whole config). */
export async function getGatewayTunnelsForRender(gatewayId: string) {
  return getDb().tunnel.findMany({
    where: { ends: { some: { gatewayId } } },
    include: renderInclude,
    orderBy: { createdAt: "asc" },
  });
}

export type TunnelForRender = NonNullable<Awaited<ReturnType<typeof getTunnelForRender>>>;
