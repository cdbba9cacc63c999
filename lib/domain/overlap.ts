// Conflict checks for a site's LAN subnets and allocation of free ipsecN interfaces.
// Overlapping subnets make the tunnel route (`ip route add DSTNET via SRCGW`) shadow or
// be shadowed by another route, so traffic silently goes to the wrong office.
import { DomainError } from "./errors";
import { cidrsOverlap, isCidr } from "./ip";
import { IPSEC_IFACE_RE } from "./names";

export type SubnetOverlap = { cidr: string; conflictsWith: string; label: string };

/** Label used when two of the candidates overlap each other. */
export const CANDIDATE_LABEL = "another subnet in this list";

/**
 * Every overlap of a candidate with an existing subnet, and of a candidate with an
 * earlier candidate (reported once, on the later one). Entries that are not valid
 * CIDRs are skipped: cidrSchema reports those on their own field.
 */
export function findSubnetOverlaps(candidates: string[], existing: { cidr: string; label: string }[]): SubnetOverlap[] {
  const valid = existing.filter((e) => isCidr(e.cidr));
  const seen: string[] = [];
  const overlaps: SubnetOverlap[] = [];
  for (const cidr of candidates) {
    if (!isCidr(cidr)) continue;
    for (const e of valid) {
      if (cidrsOverlap(cidr, e.cidr)) overlaps.push({ cidr, conflictsWith: e.cidr, label: e.label });
    }
    for (const earlier of seen) {
      if (cidrsOverlap(cidr, earlier)) overlaps.push({ cidr, conflictsWith: earlier, label: CANDIDATE_LABEL });
    }
    seen.push(cidr);
  }
  return overlaps;
}

export const MAX_IPSEC_INTERFACE = 999;

/** Lowest ipsecN not in `used` (other names in the list are ignored). */
export function nextFreeIpsecInterface(used: string[]): string {
  const taken = new Set<number>();
  for (const name of used) {
    const m = IPSEC_IFACE_RE.exec(name);
    if (m) taken.add(Number(m[1]));
  }
  for (let n = 0; n <= MAX_IPSEC_INTERFACE; n++) {
    if (!taken.has(n)) return `ipsec${n}`;
  }
  throw new DomainError(`All tunnel interfaces ipsec0–ipsec${MAX_IPSEC_INTERFACE} are in use on this gateway`);
}
