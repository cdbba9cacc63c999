// Turns a stored tunnel into the two TunnelEnd values the platform renderers take:
// each end sees itself as "local" and the other gateway as "remote". Pure.
import type { CryptoProfile, IpsecStack, PlatformId, TunnelEnd } from "@/lib/platforms/contract";
import { cryptoProfileSchema } from "@/lib/platforms/crypto-profiles";
import { isPlatformId } from "@/lib/platforms";
import { readableConnectionName } from "@/lib/rendering/connection-name";

export type TunnelRowForRender = {
  id: string;
  kind: string;
  /** The stored readable name; null until the tunnel's first deploy under readable names. */
  connectionName: string | null;
  cryptoProfile: { spec: string };
  ends: {
    role: string;
    interfaceName: string;
    /** The name this end's router holds (null: none). */
    connectionName: string | null;
    gateway: {
      id: string;
      name: string;
      platform: string;
      publicIp: string;
      lanAddress: string;
      ipsecStack?: string;
      _count?: { tunnelEnds: number };
      site: { name: string; subnets: { cidr: string }[] };
    };
  }[];
};

export type RenderableEnd = {
  role: "a" | "b";
  gatewayId: string;
  gatewayName: string;
  platform: PlatformId;
  end: TunnelEnd;
  /**
   * Set when the router holds this tunnel under another name than `end` renders (a
   * deploy renaming it): the end as it was applied there, to retire (or to restore).
   */
  previous: TunnelEnd | null;
};

/**
 * Which name the ends carry: "router" the name each router holds now (health, rotation,
 * teardown: what is there); "desired" the tunnel's readable name (deploy, previews:
 * what a deploy writes), with `previous` the router's name where it differs.
 */
export type NameChoice = "router" | "desired";

/** The tunnel's readable name: the stored one, or derived from its sites (end "a" first) until stored. */
export function desiredConnectionName(row: Pick<TunnelRowForRender, "id" | "connectionName" | "ends">): string {
  if (row.connectionName) return row.connectionName;
  const site = (role: string) => row.ends.find((e) => e.role === role)?.gateway.site.name ?? "";
  return readableConnectionName(row.id, site("a"), site("b"));
}

export function parseStoredProfile(spec: string): CryptoProfile {
  return cryptoProfileSchema.parse(JSON.parse(spec)) as CryptoProfile;
}

/**
 * The end that starts the tunnel: the one on the gateway with fewer tunnels (a spoke), "b"
 * on a tie. The other end only answers, so a hub with N > 1 spokes initiates nothing and
 * two ends never race each other into duplicate IKE SAs. The wizard makes the branch "a"
 * and the hub "b": a hub with one branch starts that tunnel, and its second branch moves
 * the start to the first branch's end (both ends' files change; the next deploy writes them).
 */
export function initiatingRole(row: TunnelRowForRender): "a" | "b" {
  const count = (role: string) => row.ends.find((e) => e.role === role)?.gateway._count?.tunnelEnds ?? 1;
  return count("a") < count("b") ? "a" : "b";
}

export function tunnelEndsFor(row: TunnelRowForRender, psk: string, names: NameChoice = "router"): [RenderableEnd, RenderableEnd] {
  const a = row.ends.find((e) => e.role === "a");
  const b = row.ends.find((e) => e.role === "b");
  if (!a || !b) throw new Error(`tunnel ${row.id} does not have two ends`);
  if (row.kind !== "host-to-host" && row.kind !== "net-to-net") throw new Error(`tunnel ${row.id} has unknown kind ${row.kind}`);
  const kind = row.kind;
  const profile = parseStoredProfile(row.cryptoProfile.spec);
  const desired = desiredConnectionName(row);
  const side = (e: typeof a) => ({
    publicIp: e.gateway.publicIp,
    ipsecStack: (e.gateway.ipsecStack === "libipsec" ? "libipsec" : "kernel") as IpsecStack,
    lanAddress: kind === "net-to-net" ? e.gateway.lanAddress : null,
    subnets: kind === "net-to-net" ? e.gateway.site.subnets.map((s) => s.cidr) : [],
  });
  const initiator = initiatingRole(row);
  const make = (self: typeof a, peer: typeof a): RenderableEnd => {
    if (!isPlatformId(self.gateway.platform)) throw new Error(`gateway ${self.gateway.name} has unknown platform`);
    const onRouter = self.connectionName;
    const end: TunnelEnd = {
      tunnelId: row.id,
      connectionName: names === "router" ? (onRouter ?? desired) : desired,
      kind,
      interfaceName: self.interfaceName,
      local: side(self),
      remote: side(peer),
      psk,
      profile,
      initiates: self.role === initiator,
    };
    return {
      role: self.role as "a" | "b",
      gatewayId: self.gateway.id,
      gatewayName: self.gateway.name,
      platform: self.gateway.platform,
      end,
      previous: names === "desired" && onRouter && onRouter !== desired ? { ...end, connectionName: onRouter } : null,
    };
  };
  return [make(a, b), make(b, a)];
}
