// Turns a stored tunnel into the two TunnelEnd values the platform renderers take:
// each end sees itself as "local" and the other gateway as "remote". Pure.
import type { CryptoProfile, IpsecStack, PlatformId, TunnelEnd } from "@/lib/platforms/contract";
import { cryptoProfileSchema } from "@/lib/platforms/crypto-profiles";
import { isPlatformId } from "@/lib/platforms";

export type TunnelRowForRender = {
  id: string;
  kind: string;
  cryptoProfile: { spec: string };
  ends: {
    role: string;
    interfaceName: string;
    gateway: {
      id: string;
      name: string;
      platform: string;
      publicIp: string;
      lanAddress: string;
      ipsecStack?: string;
      _count?: { tunnelEnds: number };
      site: { subnets: { cidr: string }[] };
    };
  }[];
};

export type RenderableEnd = {
  role: "a" | "b";
  gatewayId: string;
  gatewayName: string;
  platform: PlatformId;
  end: TunnelEnd;
};

/** swanctl connection and child name; unique per router because tunnel ids are. */
export function connectionNameFor(tunnelId: string): string {
  return `gw-${tunnelId.toLowerCase()}`;
}

export function parseStoredProfile(spec: string): CryptoProfile {
  return cryptoProfileSchema.parse(JSON.parse(spec)) as CryptoProfile;
}

/**
 * The end that starts the tunnel: the one on the gateway with fewer tunnels (a spoke), "b"
 * on a tie (the wizard makes the hub "a"). The other end only answers, so a hub with N
 * spokes initiates nothing and two ends never race each other into duplicate IKE SAs.
 */
export function initiatingRole(row: TunnelRowForRender): "a" | "b" {
  const count = (role: string) => row.ends.find((e) => e.role === role)?.gateway._count?.tunnelEnds ?? 1;
  return count("a") < count("b") ? "a" : "b";
}

export function tunnelEndsFor(row: TunnelRowForRender, psk: string): [RenderableEnd, RenderableEnd] {
  const a = row.ends.find((e) => e.role === "a");
  const b = row.ends.find((e) => e.role === "b");
  if (!a || !b) throw new Error(`tunnel ${row.id} does not have two ends`);
  if (row.kind !== "host-to-host" && row.kind !== "net-to-net") throw new Error(`tunnel ${row.id} has unknown kind ${row.kind}`);
  const kind = row.kind;
  const profile = parseStoredProfile(row.cryptoProfile.spec);
  const side = (e: typeof a) => ({
    publicIp: e.gateway.publicIp,
    ipsecStack: (e.gateway.ipsecStack === "libipsec" ? "libipsec" : "kernel") as IpsecStack,
    lanAddress: kind === "net-to-net" ? e.gateway.lanAddress : null,
    subnets: kind === "net-to-net" ? e.gateway.site.subnets.map((s) => s.cidr) : [],
  });
  const initiator = initiatingRole(row);
  const make = (self: typeof a, peer: typeof a): RenderableEnd => {
    if (!isPlatformId(self.gateway.platform)) throw new Error(`gateway ${self.gateway.name} has unknown platform`);
    return {
      role: self.role as "a" | "b",
      gatewayId: self.gateway.id,
      gatewayName: self.gateway.name,
      platform: self.gateway.platform,
      end: {
        tunnelId: row.id,
        connectionName: connectionNameFor(row.id),
        kind,
        interfaceName: self.interfaceName,
        local: side(self),
        remote: side(peer),
        psk,
        profile,
        initiates: self.role === initiator,
      },
    };
  };
  return [make(a, b), make(b, a)];
}
