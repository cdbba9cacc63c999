// Pure checks for a new tunnel between two gateways, shared by the branch-office
// wizard and the host-to-host form: distinct ends, one tunnel per pair, free ipsecN
// names, and what each platform can express (its capabilities).
import { cidrContains } from "@/lib/domain/ip";
import { nextFreeIpsecInterface } from "@/lib/domain/overlap";
import { getPlatform, isPlatformId } from "@/lib/platforms";

export type GatewayFacts = {
  id: string;
  name: string;
  platform: string;
  /** The tunnel endpoint (DST/SRC, swanctl's local/remote address). */
  publicIp: string;
  subnets: string[];
  usedInterfaces: string[];
  /** pairKeys of the tunnels this gateway already has. */
  pairKeys: string[];
  /** Phase-2 settings of its tunnels' profiles (some platforms share one phase 2 per router). */
  phase2: { profileName: string; signature: string }[];
};

export type TunnelPlanInput = {
  kind: "host-to-host" | "net-to-net";
  a: GatewayFacts;
  b: GatewayFacts;
  interfaceA?: string;
  interfaceB?: string;
  /** support: what each platform makes of the profile (lib/platforms/profile-support.ts); a reason refuses it. */
  profile: { name: string; ikeVersion: number; phase2Signature: string; support?: { platform: string; reason: string | null }[] };
};

/** Error keys: peer, interfaceA, interfaceB, cryptoProfileId. */
export type TunnelPlan =
  | { ok: true; pairKey: string; interfaceA: string; interfaceB: string }
  | { ok: false; errors: Partial<Record<"peer" | "interfaceA" | "interfaceB" | "cryptoProfileId", string>> };

export function pairKeyOf(gatewayIdA: string, gatewayIdB: string): string {
  return [gatewayIdA, gatewayIdB].sort().join(":");
}

export function planTunnel(input: TunnelPlanInput): TunnelPlan {
  const { a, b, kind, profile } = input;
  const errors: Extract<TunnelPlan, { ok: false }>["errors"] = {};
  if (a.id === b.id) {
    errors.peer = "A tunnel needs two different gateways; pick another peer";
    return { ok: false, errors };
  }
  const pairKey = pairKeyOf(a.id, b.id);
  if (a.pairKeys.includes(pairKey) || b.pairKeys.includes(pairKey)) {
    errors.peer = `There is already a tunnel between ${a.name} and ${b.name}`;
  }
  const interfaceA = input.interfaceA || nextFreeIpsecInterface(a.usedInterfaces);
  const interfaceB = input.interfaceB || nextFreeIpsecInterface(b.usedInterfaces);
  if (a.usedInterfaces.includes(interfaceA)) errors.interfaceA = `${interfaceA} is already used on ${a.name}`;
  if (b.usedInterfaces.includes(interfaceB)) errors.interfaceB = `${interfaceB} is already used on ${b.name}`;

  for (const gw of [a, b]) {
    if (!isPlatformId(gw.platform)) throw new Error(`${gw.name}: unknown platform ${JSON.stringify(gw.platform)}`);
    const platform = getPlatform(gw.platform);
    const { ikeVersions, sharedPhase2, maxSubnetsPerSide } = platform.capabilities;
    if (!(ikeVersions as number[]).includes(profile.ikeVersion)) {
      const speaks = ikeVersions.map((v) => `IKEv${v}`).join(" and ");
      errors.cryptoProfileId = `${gw.name} runs ${platform.shortLabel}, which speaks ${speaks} only; choose an ${speaks} profile instead of “${profile.name}”`;
    }
    const refused = profile.support?.find((s) => s.platform === gw.platform)?.reason;
    if (refused && !errors.cryptoProfileId) {
      errors.cryptoProfileId = `${gw.name} runs ${platform.shortLabel}, which cannot run “${profile.name}”: ${refused}`;
    }
    const clash = sharedPhase2 ? gw.phase2.find((p) => p.signature !== profile.phase2Signature) : undefined;
    if (clash) {
      errors.cryptoProfileId ??= `${gw.name} runs ${platform.shortLabel}, whose phase 2 is shared by all its tunnels; its tunnels use the phase 2 of “${clash.profileName}”. Choose a profile with the same phase 2`;
    }
    if (kind === "net-to-net" && gw.subnets.length === 0) {
      errors.peer ??= `${gw.name}'s site has no LAN subnet to connect`;
    }
    if (kind === "net-to-net" && maxSubnetsPerSide !== null && gw.subnets.length > maxSubnetsPerSide) {
      errors.peer ??= `${gw.name} runs ${platform.shortLabel}, which carries ${maxSubnetsPerSide === 1 ? "one subnet" : `${maxSubnetsPerSide} subnets`} per tunnel; its site has ${gw.subnets.length}`;
    }
  }
  const clash = kind === "net-to-net" && !errors.peer ? endpointInsideLan(a, b) : null;
  if (clash) errors.peer = clash;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, pairKey, interfaceA, interfaceB };
}

/**
 * A LAN of either end that holds either end's public address: the tunnel's traffic
 * selector would then claim the IKE/ESP packets themselves (or, on a hub, another
 * branch's), so the tunnel would carry its own transport or steal another's traffic.
 */
function endpointInsideLan(a: GatewayFacts, b: GatewayFacts): string | null {
  for (const side of [a, b]) {
    for (const cidr of side.subnets) {
      for (const end of [a, b]) {
        if (!cidrContains(cidr, end.publicIp)) continue;
        const whose = end === side ? "its own public address" : `the public address of ${end.name}`;
        return `${side.name}'s LAN ${cidr} contains ${end.publicIp}, ${whose}: the tunnel would route its own packets into itself. Correct the subnet first`;
      }
    }
  }
  return null;
}
