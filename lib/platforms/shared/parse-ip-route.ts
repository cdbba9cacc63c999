// Parser for `ip route list` / `ip route list table all` output, so health checks can ask
// "is there a route to the peer's LAN?" in any table: strongSwan's kernel-libipsec puts
// its routes in table 220, CentOS's ifup puts `DSTNET via SRCGW` in main.

import type { IpRoute } from "../status";

const ROUTE_TYPES = new Set([
  "unicast",
  "local",
  "broadcast",
  "multicast",
  "anycast",
  "unreachable",
  "prohibit",
  "blackhole",
  "throw",
  "nat",
]);
const KEYS_WITH_VALUE = new Set([
  "via",
  "dev",
  "src",
  "table",
  "proto",
  "scope",
  "metric",
  "pref",
  "expires",
  "hoplimit",
  "mtu",
  "advmss",
  "weight",
  "realms",
  "nhid",
  "initcwnd",
  "initrwnd",
  "congctl",
  "features",
  "rtt",
  "rttvar",
  "quickack",
  "tos",
  "dsfield",
]);

/** One record per route line; blank and unrecognised lines are skipped rather than failing the health check. */
export function parseIpRouteList(output: string): IpRoute[] {
  const routes: IpRoute[] = [];
  for (const raw of output.split("\n")) {
    const tokens = raw.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    let type = "unicast";
    if (ROUTE_TYPES.has(tokens[0]!)) type = tokens.shift()!;
    const destination = tokens.shift();
    if (!destination) continue;
    const fields = new Map<string, string>();
    for (let i = 0; i < tokens.length; i++) {
      const key = tokens[i]!;
      if (KEYS_WITH_VALUE.has(key) && i + 1 < tokens.length) fields.set(key, tokens[++i]!);
      // flags such as onlink / linkdown / dead carry no value
    }
    const via = fields.get("via") ?? null;
    const metric = fields.get("metric");
    routes.push({
      type,
      destination,
      family: destination.includes(":") || via?.includes(":") ? "inet6" : "inet",
      via,
      dev: fields.get("dev") ?? null,
      src: fields.get("src") ?? null,
      table: fields.get("table") ?? "main",
      proto: fields.get("proto") ?? null,
      scope: fields.get("scope") ?? null,
      metric: metric !== undefined && /^\d+$/.test(metric) ? Number(metric) : null,
    });
  }
  return routes;
}

/** "default" → "0.0.0.0/0", "a.b.c.d" → "a.b.c.d/32"; IPv6 likewise with /128. */
function normalizeDestination(destination: string): string {
  if (destination === "default") return "0.0.0.0/0";
  if (destination.includes("/")) return destination;
  return destination.includes(":") ? `${destination}/128` : `${destination}/32`;
}

/**
 * The first forwarding route whose destination is exactly `cidr` (any table), or undefined.
 * Exact match on purpose: a default route also "reaches" the peer LAN, but only a
 * specific route proves the tunnel was configured.
 */
export function findRouteTo(routes: readonly IpRoute[], cidr: string): IpRoute | undefined {
  const wanted = normalizeDestination(cidr);
  return routes.find((r) => r.type === "unicast" && normalizeDestination(r.destination) === wanted);
}

/** `ip route list table all` without the kernel's local/broadcast bookkeeping, for people to read. */
export function interestingRoutes(text: string): string {
  return text
    .split("\n")
    .filter((l) => l.trim() && !/^(local|broadcast|multicast|anycast) /.test(l) && !/ table local\b/.test(l) && !/^(fe80|ff00|::1)/.test(l))
    .join("\n");
}
