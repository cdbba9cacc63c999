// Address and name plan of a router lab. Pure: no I/O, so every rule about which
// addresses a lab may use is unit-tested (address-plan.test.ts).
//
// Plan for a lab named L with a WAN /24 W (inside 198.18.0.0/15, derived from L):
//   W.1            root namespace's end of the one veth into the WAN (as /32)
//   W.254          the WAN namespace's bridge ("the internet"; routers' default gateway)
//   W.(10+s)       public address of the router of site s (s = 1..MAX_SITES)
//   192.168.s.0/24 LAN of site s, inside namespaces only; router .254, LAN host .10
// Site 1 is "hq", site s > 1 is "branch(s-1)" — hq/branch1 get 192.168.1/2.0/24
// like the article's example.
import { addressInNetwork, networkContains, parseCidr, type Cidr } from "../../lib/domain/ip";

export const PLATFORMS = ["strongswan", "centos-racoon", "libreswan"] as const;
export type Platform = (typeof PLATFORMS)[number];

export const MAX_SITES = 200;
export const DEFAULT_LAB_NAME = "gwlab";
/** All lab WANs live in 198.18.0.0/15 (RFC 2544 benchmarking range): 512 possible /24s. */
export const WAN_SUPERNET = "198.18.0.0/15";
const WAN_SLOTS = 512;
const WAN_NETWORK = parseCidr(WAN_SUPERNET);
const LAN_NETWORK = parseCidr("192.168.0.0/16");

function nthSlash24(supernet: Cidr, n: number): Cidr {
  return parseCidr(`${addressInNetwork(supernet, n * 256)}/24`);
}

export interface RouterPlan {
  name: string;
  site: number;
  platform: Platform;
  netns: string;
  publicIp: string;
  wanInterface: "wan0";
  lanInterface: "lan0";
  /** Bridge port of this router in the WAN namespace. */
  wanPeer: string;
  lanCidr: string;
  lanAddress: string;
  lanHost: { netns: string; ip: string; interface: "lan0" };
}

export interface LabPlan {
  name: string;
  wan: {
    netns: string;
    cidr: string;
    bridge: "br0";
    bridgeAddress: string;
    rootVeth: string;
    rootVethPeer: "root0";
    rootAddress: string;
  };
  routers: RouterPlan[];
}

export function validateLabName(name: string): string | null {
  if (!/^[a-z][a-z0-9-]{0,23}$/.test(name)) {
    return `lab name "${name}" must be 1-24 characters of a-z, 0-9 and "-", starting with a letter`;
  }
  return null;
}

export function routerName(site: number): string {
  return site === 1 ? "hq" : `branch${site - 1}`;
}

/** FNV-1a 32 bit: a stable, dependency-free hash for deterministic lab placement. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The n-th /24 of 198.18.0.0/15 (n modulo 512). */
export function wanSlotCidr(slot: number): string {
  return nthSlash24(WAN_NETWORK, ((slot % WAN_SLOTS) + WAN_SLOTS) % WAN_SLOTS).text;
}

/**
 * Preferred WAN /24 of a lab, then the following ones: the caller takes the first
 * that `isFree` accepts, so two labs with colliding hashes still get distinct /24s.
 */
export function chooseWanCidr(name: string, isFree: (cidr: string) => boolean): string | null {
  const start = fnv1a(name) % WAN_SLOTS;
  for (let i = 0; i < WAN_SLOTS; i++) {
    const cidr = wanSlotCidr(start + i);
    if (isFree(cidr)) return cidr;
  }
  return null;
}

export function parsePlatforms(spec: string | undefined): Platform[] {
  if (!spec) return ["strongswan"];
  const list = spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of list) {
    if (!(PLATFORMS as readonly string[]).includes(p)) {
      throw new Error(`unknown platform "${p}" (known: ${PLATFORMS.join(", ")})`);
    }
  }
  if (list.length === 0) throw new Error("--platforms is empty");
  return list as Platform[];
}

/** Platform of site s: the list is repeated over the sites (strongswan,centos-racoon → alternating). */
export function platformForSite(platforms: readonly Platform[], site: number): Platform {
  return platforms[(site - 1) % platforms.length]!;
}

export function planLab(opts: { name: string; sites: number; platforms: readonly Platform[]; wanCidr: string }): LabPlan {
  const nameError = validateLabName(opts.name);
  if (nameError) throw new Error(nameError);
  if (!Number.isInteger(opts.sites) || opts.sites < 1 || opts.sites > MAX_SITES) {
    throw new Error(`--sites must be an integer from 1 to ${MAX_SITES}`);
  }
  const wan = parseCidr(opts.wanCidr);
  if (wan.prefix !== 24) throw new Error(`WAN ${opts.wanCidr} must be a /24`);
  if (!networkContains(WAN_NETWORK, wan)) throw new Error(`WAN ${opts.wanCidr} is outside ${WAN_SUPERNET}`);

  const routers: RouterPlan[] = [];
  for (let site = 1; site <= opts.sites; site++) {
    const name = routerName(site);
    const lan = nthSlash24(LAN_NETWORK, site);
    routers.push({
      name,
      site,
      platform: platformForSite(opts.platforms, site),
      netns: `${opts.name}-${name}`,
      publicIp: addressInNetwork(wan, 10 + site),
      wanInterface: "wan0",
      lanInterface: "lan0",
      wanPeer: `r${site}`,
      lanCidr: lan.text,
      lanAddress: addressInNetwork(lan, 254),
      lanHost: { netns: `${opts.name}-${name}-lan`, ip: addressInNetwork(lan, 10), interface: "lan0" },
    });
  }
  return {
    name: opts.name,
    wan: {
      netns: `${opts.name}-wan`,
      cidr: opts.wanCidr,
      bridge: "br0",
      bridgeAddress: addressInNetwork(wan, 254),
      // Interface names are limited to 15 bytes and share the root namespace with
      // other labs: a hash keeps them short and distinct.
      rootVeth: `gwl${fnv1a(opts.name).toString(16).padStart(8, "0")}`,
      rootVethPeer: "root0",
      rootAddress: addressInNetwork(wan, 1),
    },
    routers,
  };
}

/** Every CIDR the lab will create, for the overlap check against the machine. */
export function labCidrs(plan: LabPlan): string[] {
  return [plan.wan.cidr, ...plan.routers.map((r) => r.lanCidr)];
}
