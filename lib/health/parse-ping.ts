// The in-tunnel probes: which pings a tunnel end runs (router LAN address → peer LAN
// address for net-to-net, the peer's public address for host-to-host; and, when a site
// names a probe target on its LAN, the other end's router LAN address → that host) and
// what their summary lines say. Pure, so the parser is tested on recorded iputils output.
import type { TunnelEnd } from "@/lib/platforms/contract";
import { isIpv4 } from "@/lib/domain/ip";

export const PROBE_COUNT = 5;

/** Which path a probe took: between the two routers' own addresses, or to a host on a site's LAN. */
export type ProbePath = { kind: "routers"; by: string; peer: string } | { kind: "lan-host"; by: string; site: string };

export type ProbeResult = {
  /** Source address the probe was sent from (null: the router chose, host-to-host). */
  from: string | null;
  to: string;
  sent: number;
  received: number;
  /** Average round trip of the answered packets; null when none came back. */
  avgMs: number | null;
  /** Why the probe could not run at all (e.g. ping missing); null when it ran. */
  error: string | null;
  /** The path probed (absent on samples stored before probe targets existed: router to router). */
  path?: ProbePath;
};

const PROBE_BASE = ["ping", "-n", "-q", "-c", String(PROBE_COUNT), "-i", "0.2", "-W", "1"];

/**
 * argv of the router-to-router probe for this end: 5 packets 0.2 s apart, 1 s wait for the last, so ~0.8 s
 * when the tunnel answers and ~1.8 s when it does not (no -w: with a deadline ping keeps
 * sending until it expires when nothing answers).
 */
export function probeArgvFor(end: Pick<TunnelEnd, "kind" | "local" | "remote">): { argv: string[]; from: string | null; to: string } {
  const base = PROBE_BASE;
  if (end.kind === "net-to-net" && end.local.lanAddress && end.remote.lanAddress) {
    return { argv: [...base, "-I", end.local.lanAddress, end.remote.lanAddress], from: end.local.lanAddress, to: end.remote.lanAddress };
  }
  return { argv: [...base, end.remote.publicIp], from: null, to: end.remote.publicIp };
}

/** A probe a tunnel end runs: its argv, and what the result is about. */
export type PlannedProbe = { role: "a" | "b"; argv: string[]; from: string | null; to: string; path: ProbePath };

export type ProbeEnd = {
  role: "a" | "b";
  gatewayName: string;
  siteName: string;
  /** A host on this end's site LAN that the OTHER end pings through the tunnel; null: none set. */
  probeTarget: string | null;
  end: Pick<TunnelEnd, "kind" | "local" | "remote">;
};

/**
 * The probes of one tunnel in a round. Always the router-to-router probe from the "b" end
 * (on hub-and-spoke that spreads the pings over the spokes); from the "a" end too when
 * `bothRouterProbes` (the tunnel was not up last round: if "b" cannot be reached, "a"'s
 * view through the tunnel is the evidence). For each end whose site names a probe target
 * (net-to-net only), the other end pings that host from its own LAN address, so a LAN
 * behind a router that still holds its SA is seen.
 */
export function planProbes(ends: readonly [ProbeEnd, ProbeEnd], opts: { bothRouterProbes: boolean }): PlannedProbe[] {
  const planned: PlannedProbe[] = [];
  for (const self of ends) {
    const peer = self === ends[0] ? ends[1] : ends[0];
    if (self.role === "b" || opts.bothRouterProbes) {
      const p = probeArgvFor(self.end);
      planned.push({ role: self.role, ...p, path: { kind: "routers", by: self.gatewayName, peer: peer.gatewayName } });
    }
  }
  for (const target of ends) {
    const by = target === ends[0] ? ends[1] : ends[0];
    const from = by.end.local.lanAddress;
    // Stored values were checked on the way in (lib/domain/probe-target); a value that is not an address is never sent.
    if (!target.probeTarget || !isIpv4(target.probeTarget) || by.end.kind !== "net-to-net" || !from) continue;
    planned.push({
      role: by.role,
      argv: [...PROBE_BASE, "-I", from, target.probeTarget],
      from,
      to: target.probeTarget,
      path: { kind: "lan-host", by: by.gatewayName, site: target.siteName },
    });
  }
  return planned;
}

/** How a page names a probe's path: "router to router (branch1-gw → hq-gw)" or "LAN host 192.168.2.10 at Branch 1, from hq-gw". */
export function describeProbePath(p: Pick<ProbeResult, "from" | "to" | "path">): string {
  if (p.path?.kind === "lan-host") return `LAN host ${p.to} at ${p.path.site}, from ${p.path.by}${p.from ? ` (${p.from})` : ""}`;
  const route = `${p.from ?? "router"} → ${p.to}`;
  return p.path ? `router to router, ${p.path.by} → ${p.path.peer} (${route})` : `router to router (${route})`;
}

const COUNTS = /(\d+) packets transmitted, (\d+) (?:packets )?received/;
const RTT = /(?:rtt|round-trip) min\/avg\/max(?:\/(?:mdev|stddev))? = [\d.]+\/([\d.]+)\//;

/** ping exits 1 when nothing came back: that is a result (100% loss), not a failure. */
export function parsePing(
  from: string | null,
  to: string,
  r: { exitCode: number; stdout: string; stderr: string },
  path?: ProbePath,
): ProbeResult {
  const on = path ? { path } : {};
  const counts = COUNTS.exec(r.stdout);
  if (!counts) {
    const why = (r.stderr.trim().split("\n")[0] || `ping printed no summary (exit ${r.exitCode})`).slice(0, 200);
    return { from, to, sent: 0, received: 0, avgMs: null, error: why, ...on };
  }
  const received = Number(counts[2]);
  const rtt = RTT.exec(r.stdout);
  return { from, to, sent: Number(counts[1]), received, avgMs: received > 0 && rtt ? Number(rtt[1]) : null, error: null, ...on };
}

export function lossPctOf(p: ProbeResult): number | null {
  if (p.error !== null || p.sent === 0) return null;
  return Math.round(((p.sent - p.received) / p.sent) * 1000) / 10;
}

/** What a tunnel's health probes, as lists show it: "router ↔ router", plus each site's LAN host. */
export function probedPathsLabel(
  kind: string,
  ends: readonly { siteName: string; probeTarget: string | null }[],
): { text: string; lanHosts: number } {
  const hosts = kind === "net-to-net" ? ends.filter((e) => e.probeTarget) : [];
  const parts = ["router ↔ router", ...hosts.map((e) => `LAN host ${e.probeTarget} (${e.siteName})`)];
  return { text: parts.join(" + "), lanHosts: hosts.length };
}
