// Read queries for the inventory pages: sites, subnets, gateways, tunnels, profiles.
// Selections never include encrypted secrets; those have their own functions.
import "server-only";
import { getDb } from "@/lib/db/client";

/** Gateway columns safe to hand to any page (no credential). */
export const gatewayPublicSelect = {
  id: true,
  siteId: true,
  name: true,
  platform: true,
  publicIp: true,
  sshHost: true,
  sshPort: true,
  sshUser: true,
  sshAuthType: true,
  hostKeyFingerprint: true,
  hostKeySeen: true,
  hostKeySeenAt: true,
  reachability: true,
  reachabilityReason: true,
  reachabilityAt: true,
  wanInterface: true,
  lanInterface: true,
  lanAddress: true,
  createdAt: true,
  updatedAt: true,
} as const;

const tunnelEndsInclude = {
  ends: {
    orderBy: { role: "asc" as const },
    include: { gateway: { select: { ...gatewayPublicSelect, site: { include: { subnets: { orderBy: { cidr: "asc" as const } } } } } } },
  },
  cryptoProfile: true,
} as const;

export async function getOverviewCounts() {
  const db = getDb();
  const [sites, gateways, tunnels, subnets] = await Promise.all([
    db.site.count(),
    db.gateway.count(),
    db.tunnel.count(),
    db.subnet.count(),
  ]);
  return { sites, gateways, tunnels, subnets };
}

export async function listSites() {
  return getDb().site.findMany({
    orderBy: { name: "asc" },
    include: {
      subnets: { orderBy: { cidr: "asc" } },
      gateway: { select: { ...gatewayPublicSelect, _count: { select: { tunnelEnds: true } } } },
    },
  });
}

export async function countSites() {
  return getDb().site.count();
}

/** One page of the site list, by name. */
export async function listSitesPage({ skip, take }: { skip: number; take: number }) {
  return getDb().site.findMany({
    orderBy: { name: "asc" },
    skip,
    take,
    include: {
      subnets: { orderBy: { cidr: "asc" } },
      gateway: { select: { ...gatewayPublicSelect, _count: { select: { tunnelEnds: true } } } },
    },
  });
}

/** The sites with the most tunnels (hubs first), for the overview's short list. */
export async function listBusiestSites(take: number) {
  return getDb().site.findMany({
    orderBy: [{ gateway: { tunnelEnds: { _count: "desc" } } }, { name: "asc" }],
    take,
    select: {
      id: true,
      name: true,
      subnets: { orderBy: { cidr: "asc" }, select: { cidr: true } },
      gateway: { select: { platform: true, _count: { select: { tunnelEnds: true } } } },
    },
  });
}

/** Gateways with their site's name, for the full topology map of a small fleet. */
export async function listMapGateways(take: number) {
  const rows = await getDb().gateway.findMany({
    orderBy: { name: "asc" },
    take,
    select: { id: true, name: true, siteId: true, site: { select: { name: true } } },
  });
  return rows.map((g) => ({ id: g.id, name: g.name, siteId: g.siteId, siteName: g.site.name }));
}

/** The `take` gateways with the most tunnels, busiest first (one aggregate over tunnel ends). */
export async function listBusiestGateways(take: number) {
  const db = getDb();
  const counts = await db.tunnelEnd.groupBy({
    by: ["gatewayId"],
    _count: { _all: true },
    orderBy: [{ _count: { gatewayId: "desc" } }, { gatewayId: "asc" }],
    take,
  });
  const gateways = await db.gateway.findMany({
    where: { id: { in: counts.map((c) => c.gatewayId) } },
    select: { id: true, name: true, siteId: true, site: { select: { name: true } } },
  });
  const byId = new Map(gateways.map((g) => [g.id, g]));
  return counts.flatMap((c) => {
    const g = byId.get(c.gatewayId);
    return g ? [{ id: g.id, name: g.name, siteId: g.siteId, siteName: g.site.name, tunnels: c._count._all }] : [];
  });
}

/** The gateway a filtered list names in its heading. */
export async function getGatewayLabel(id: string) {
  return getDb().gateway.findUnique({ where: { id }, select: { id: true, name: true, site: { select: { name: true } } } });
}

export async function getSite(id: string) {
  return getDb().site.findUnique({
    where: { id },
    include: {
      subnets: { orderBy: { cidr: "asc" } },
      gateway: {
        select: {
          ...gatewayPublicSelect,
          tunnelEnds: { include: { tunnel: { include: tunnelEndsInclude } } },
        },
      },
    },
  });
}

export async function getGateway(id: string) {
  return getDb().gateway.findUnique({
    where: { id },
    select: {
      ...gatewayPublicSelect,
      // The named SSH credential it signs in with (public facts only).
      sshCredential: { select: { id: true, name: true, fingerprint: true } },
      site: { include: { subnets: { orderBy: { cidr: "asc" } } } },
      tunnelEnds: { include: { tunnel: { include: tunnelEndsInclude } } },
    },
  });
}

export async function listTunnels() {
  return getDb().tunnel.findMany({ orderBy: { createdAt: "asc" }, include: tunnelEndsInclude });
}

/** Which tunnels a list shows: health states, and/or one gateway's. */
export type TunnelListFilter = { states?: readonly string[]; gatewayId?: string };

const healthIn = (states: readonly string[] | undefined) => (states ? { healthState: { in: [...states] } } : {});

// One gateway's tunnels are read from its TunnelEnd rows (gatewayId index, then each
// tunnel by id): Prisma's `ends: { some: … }` filter is a correlated EXISTS that SQLite
// checks against every end of the gateway for every tunnel — 150 ms for a 1,000-spoke hub.
const gatewayEndsWhere = (f: TunnelListFilter & { gatewayId: string }) => ({
  gatewayId: f.gatewayId,
  ...(f.states ? { tunnel: healthIn(f.states) } : {}),
});

export async function countTunnels(filter: TunnelListFilter) {
  const db = getDb();
  const { gatewayId } = filter;
  return gatewayId
    ? db.tunnelEnd.count({ where: gatewayEndsWhere({ ...filter, gatewayId }) })
    : db.tunnel.count({ where: healthIn(filter.states) });
}

/** One page of tunnels: oldest first, or longest-standing first when filtered by health. */
export async function listTunnelsPage(filter: TunnelListFilter, { skip, take }: { skip: number; take: number }) {
  const db = getDb();
  const { gatewayId } = filter;
  if (gatewayId) {
    const ends = await db.tunnelEnd.findMany({
      where: gatewayEndsWhere({ ...filter, gatewayId }),
      orderBy: filter.states
        ? [{ tunnel: { healthAt: { sort: "asc", nulls: "last" } } }, { tunnel: { createdAt: "asc" } }, { tunnelId: "asc" }]
        : [{ tunnel: { createdAt: "asc" } }, { tunnelId: "asc" }],
      skip,
      take,
      select: { tunnelId: true },
    });
    // Then the page's tunnels in one flat query (nested under the end, the same include
    // measured about twice as slow), in the ends' order.
    const rows = await db.tunnel.findMany({ where: { id: { in: ends.map((e) => e.tunnelId) } }, include: tunnelEndsInclude });
    const byId = new Map(rows.map((t) => [t.id, t]));
    return ends.flatMap((e) => byId.get(e.tunnelId) ?? []);
  }
  return db.tunnel.findMany({
    where: healthIn(filter.states),
    orderBy: filter.states
      ? [{ healthAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }, { id: "asc" }]
      : [{ createdAt: "asc" }, { id: "asc" }],
    skip,
    take,
    include: tunnelEndsInclude,
  });
}

export async function getTunnel(id: string) {
  return getDb().tunnel.findUnique({
    where: { id },
    include: {
      ...tunnelEndsInclude,
      keys: {
        orderBy: { version: "desc" },
        select: { id: true, version: true, status: true, createdAt: true, activatedAt: true, retiredAt: true },
      },
    },
  });
}

export type TunnelDetail = NonNullable<Awaited<ReturnType<typeof getTunnel>>>;

export async function listGatewayChoices() {
  return getDb().gateway.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      platform: true,
      publicIp: true,
      site: { select: { name: true, subnets: { select: { cidr: true } } } },
      tunnelEnds: { select: { interfaceName: true } },
    },
  });
}

export async function listSubnetsWithSite() {
  return getDb().subnet.findMany({ select: { cidr: true, site: { select: { name: true } } } });
}

export async function listCryptoProfiles() {
  return getDb().cryptoProfile.findMany({ orderBy: [{ builtIn: "desc" }, { name: "asc" }] });
}

export async function findTakenNames(input: { siteName: string; gatewayName: string; publicIp: string }) {
  const db = getDb();
  const [site, gwName, gwIp] = await Promise.all([
    db.site.findUnique({ where: { name: input.siteName }, select: { id: true } }),
    db.gateway.findUnique({ where: { name: input.gatewayName }, select: { id: true } }),
    db.gateway.findUnique({ where: { publicIp: input.publicIp }, select: { name: true } }),
  ]);
  return { siteTaken: !!site, gatewayNameTaken: !!gwName, publicIpTakenBy: gwIp?.name ?? null };
}

export async function findTunnelByPair(pairKey: string) {
  return getDb().tunnel.findUnique({ where: { pairKey }, select: { id: true } });
}

/** The active key's envelope for a tunnel (decrypted only by lib/secrets callers). */
export async function getActivePskEnvelope(tunnelId: string) {
  return getDb().presharedKey.findFirst({
    where: { tunnelId, status: "active" },
    orderBy: { version: "desc" },
    select: { id: true, version: true, secretEnc: true },
  });
}
