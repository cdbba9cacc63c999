// Parser for `ip -json route list table all` (iproute2 4.13+, Debian 12's 6.1): the same
// neutral IpRoute records as the text parser, from iproute2's own field names. Routers
// whose iproute2 has no JSON (CentOS 6) keep the text parser (parse-ip-route.ts).
import type { IpRoute } from "../status";

type JsonRoute = {
  type?: unknown;
  dst?: unknown;
  gateway?: unknown;
  via?: unknown;
  dev?: unknown;
  prefsrc?: unknown;
  table?: unknown;
  protocol?: unknown;
  scope?: unknown;
  metric?: unknown;
};

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null);

/** A gateway of the other family prints as `"via": {"family": "inet6", "host": "…"}`. */
function gatewayOf(r: JsonRoute): string | null {
  if (typeof r.via === "object" && r.via !== null && "host" in r.via) return text((r.via as { host: unknown }).host);
  return text(r.gateway);
}

/** Every route of the listing; output that is not a JSON array of routes yields none. */
export function parseIpRouteJson(output: string): IpRoute[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((r): r is JsonRoute => typeof r === "object" && r !== null && typeof (r as JsonRoute).dst === "string")
    .map((r) => {
      const destination = r.dst as string;
      const via = gatewayOf(r);
      return {
        type: text(r.type) ?? "unicast",
        destination,
        family: destination.includes(":") || via?.includes(":") ? "inet6" : "inet",
        via,
        dev: text(r.dev),
        src: text(r.prefsrc),
        table: text(r.table) ?? "main",
        proto: text(r.protocol),
        scope: text(r.scope),
        metric: typeof r.metric === "number" ? r.metric : null,
      } satisfies IpRoute;
    });
}

/** One route as `ip route` prints it, e.g. "192.168.2.0/24 dev ipsec0 table 220 proto static src 192.168.1.254". */
export function formatIpRoute(r: IpRoute): string {
  return [
    r.type === "unicast" ? null : r.type,
    r.destination,
    r.via && `via ${r.via}`,
    r.dev && `dev ${r.dev}`,
    r.table === "main" ? null : `table ${r.table}`,
    r.proto && `proto ${r.proto}`,
    r.scope && `scope ${r.scope}`,
    r.src && `src ${r.src}`,
    r.metric === null ? null : `metric ${r.metric}`,
  ]
    .filter(Boolean)
    .join(" ");
}

const BOOKKEEPING = new Set(["local", "broadcast", "multicast", "anycast"]);

/** The routes people read: without the kernel's local/broadcast/multicast bookkeeping and link-local IPv6. */
export function readableRoutes(routes: readonly IpRoute[]): string {
  return routes
    .filter((r) => !BOOKKEEPING.has(r.type) && r.table !== "local" && !/^(fe80|ff00|::1)/.test(r.destination))
    .map(formatIpRoute)
    .join("\n");
}
