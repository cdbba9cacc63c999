// Refuse-to-run rule of the lab: no lab range may overlap an address, route or
// name server of the machine (read at start by host-network.ts, never hard-coded).
// A lab that routed the registries' range once hijacked `npm install`. Pure.
import { enclosingNetwork, isIpv4, networksOverlap, parseCidr } from "../../lib/domain/ip";

export interface HostNetwork {
  /** IPv4 addresses of the root namespace with their prefix, e.g. "192.0.2.2/24". */
  addresses: string[];
  /** IPv4 route destinations of every table of the root namespace ("default" left out). */
  routes: { dst: string; dev?: string; table?: string }[];
  /** IPv4 name servers from /etc/resolv.conf. */
  nameservers: string[];
}

export interface Conflict {
  labCidr: string;
  kind: "address" | "route" | "nameserver";
  hostValue: string;
}

/** Route destinations that cover everything say nothing about a specific range. */
function isDefault(dst: string): boolean {
  return dst === "default" || dst === "0.0.0.0/0";
}

export function findConflicts(labCidrs: readonly string[], host: HostNetwork): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const labCidr of labCidrs) {
    const lab = parseCidr(labCidr);
    // What the machine printed and we cannot read (an IPv6 address, say) cannot hit an IPv4 lab.
    const hits = (hostValue: string) => {
      const network = enclosingNetwork(hostValue);
      return network !== null && networksOverlap(lab, network);
    };
    for (const address of host.addresses) {
      if (hits(address)) conflicts.push({ labCidr, kind: "address", hostValue: address });
    }
    for (const route of host.routes) {
      if (isDefault(route.dst) || !hits(route.dst)) continue;
      const where = [route.dev && `dev ${route.dev}`, route.table && `table ${route.table}`].filter(Boolean).join(" ");
      conflicts.push({ labCidr, kind: "route", hostValue: where ? `${route.dst} ${where}` : route.dst });
    }
    for (const ns of host.nameservers) {
      if (hits(ns)) conflicts.push({ labCidr, kind: "nameserver", hostValue: ns });
    }
  }
  return conflicts;
}

export function describeConflicts(conflicts: readonly Conflict[]): string {
  return conflicts.map((c) => `lab range ${c.labCidr} overlaps the machine's ${c.kind} ${c.hostValue}`).join("\n");
}

/** Parses name servers out of resolv.conf text (IPv4 only; the lab is IPv4). */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && isIpv4(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** Parses `ip -j -4 addr show` output. */
export function parseIpAddrJson(json: string): string[] {
  const links = JSON.parse(json) as { addr_info?: { family?: string; local?: string; prefixlen?: number }[] }[];
  const out: string[] = [];
  for (const link of links) {
    for (const a of link.addr_info ?? []) {
      if (a.family === "inet" && a.local) out.push(`${a.local}/${a.prefixlen ?? 32}`);
    }
  }
  return out;
}

/** Parses `ip -j -4 route show table all` output. */
export function parseIpRouteJson(json: string): HostNetwork["routes"] {
  const routes = JSON.parse(json) as { dst?: string; dev?: string; table?: string }[];
  return routes
    .filter((r) => typeof r.dst === "string")
    .map((r) => ({ dst: r.dst!, ...(r.dev ? { dev: r.dev } : {}), ...(r.table ? { table: r.table } : {}) }));
}
