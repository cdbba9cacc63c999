// What GET /metrics says about the fleet, as plain samples: the database rows (every
// instance reads the same ones, so every instance serves the same fleet values) turned
// into metric values with their labels. Pure; lib/metrics/registry.ts puts them into
// prom-client metrics at each scrape.
import { HEALTH_STATES } from "@/lib/health/evaluate";

export type Labels = Record<string, string>;
export type Sample = { labels: Labels; value: number };

/** The subset of lib/db/tunnel-metrics rows this module reads. */
export type TunnelRow = {
  id: string;
  deployState: string;
  healthState: string;
  healthAt: Date | null;
  ends: { role: string; gateway: { name: string; platform: string; site: { name: string } } }[];
  keys: { createdAt: Date; activatedAt: Date | null }[];
  metrics: {
    checkedOkAt: Date | null;
    latencyMs: number | null;
    lossPct: number | null;
    bytesIn: bigint;
    bytesOut: bigint;
    packetsIn: bigint;
    packetsOut: bigint;
  } | null;
};

export type GatewayRow = { name: string; platform: string; reachability: string; lastContactAt: Date | null; site: { name: string } };
export type JobCount = { kind: string; status: string; count: number };

export type FleetSamples = {
  tunnelState: Sample[];
  tunnelStateSince: Sample[];
  probeLatency: Sample[];
  probeLoss: Sample[];
  bytes: Sample[];
  packets: Sample[];
  sinceLastCheck: Sample[];
  pskAge: Sample[];
  gatewayReachable: Sample[];
  gatewayLastContact: Sample[];
  jobs: Sample[];
  oldestRunningJob: Sample[];
};

export const TUNNEL_LABELS = ["tunnel_id", "tunnel", "site_a", "site_b", "gateway_a", "gateway_b", "platform_a", "platform_b"] as const;
export const GATEWAY_LABELS = ["gateway", "site", "platform"] as const;

export function tunnelLabels(t: TunnelRow): Labels {
  const end = (role: string) => t.ends.find((e) => e.role === role)?.gateway;
  const a = end("a");
  const b = end("b");
  return {
    tunnel_id: t.id,
    tunnel: `${a?.site.name ?? "?"} ↔ ${b?.site.name ?? "?"}`,
    site_a: a?.site.name ?? "",
    site_b: b?.site.name ?? "",
    gateway_a: a?.name ?? "",
    gateway_b: b?.name ?? "",
    platform_a: a?.platform ?? "",
    platform_b: b?.platform ?? "",
  };
}

const seconds = (d: Date) => d.getTime() / 1000;
/** Counters as numbers: exact below 2^53 bytes (8 PiB), far beyond any tunnel. */
const n = (v: bigint) => Number(v);

export function fleetSamples(input: {
  tunnels: readonly TunnelRow[];
  gateways: readonly GatewayRow[];
  jobs: readonly JobCount[];
  oldestRunningJobs: readonly { kind: string; startedAt: Date }[];
  now: Date;
}): FleetSamples {
  const out: FleetSamples = {
    tunnelState: [],
    tunnelStateSince: [],
    probeLatency: [],
    probeLoss: [],
    bytes: [],
    packets: [],
    sinceLastCheck: [],
    pskAge: [],
    gatewayReachable: [],
    gatewayLastContact: [],
    jobs: [],
    oldestRunningJob: [],
  };
  const now = input.now.getTime();
  for (const t of input.tunnels) {
    const labels = tunnelLabels(t);
    // Every state with 1 for the current one (a state set): alerts compare ==1, dashboards sum by state.
    for (const state of HEALTH_STATES) out.tunnelState.push({ labels: { ...labels, state }, value: t.healthState === state ? 1 : 0 });
    if (t.healthAt) out.tunnelStateSince.push({ labels, value: seconds(t.healthAt) });
    const key = t.keys[0];
    if (key) out.pskAge.push({ labels, value: Math.max(0, (now - (key.activatedAt ?? key.createdAt).getTime()) / 1000) });
    const m = t.metrics;
    if (!m) continue;
    // Only what the last round measured: a probe that did not answer has no latency.
    if (m.latencyMs !== null) out.probeLatency.push({ labels, value: m.latencyMs / 1000 });
    if (m.lossPct !== null) out.probeLoss.push({ labels, value: m.lossPct / 100 });
    out.bytes.push(
      { labels: { ...labels, direction: "in" }, value: n(m.bytesIn) },
      { labels: { ...labels, direction: "out" }, value: n(m.bytesOut) },
    );
    out.packets.push(
      { labels: { ...labels, direction: "in" }, value: n(m.packetsIn) },
      { labels: { ...labels, direction: "out" }, value: n(m.packetsOut) },
    );
    if (m.checkedOkAt) out.sinceLastCheck.push({ labels, value: Math.max(0, (now - m.checkedOkAt.getTime()) / 1000) });
  }
  for (const g of input.gateways) {
    // Never visited (no deployed tunnel, no pinned key): not monitored, so not "unreachable" either.
    if (g.reachability === "unknown") continue;
    const labels = { gateway: g.name, site: g.site.name, platform: g.platform };
    out.gatewayReachable.push({ labels, value: g.reachability === "ok" ? 1 : 0 });
    if (g.lastContactAt) out.gatewayLastContact.push({ labels, value: seconds(g.lastContactAt) });
  }
  for (const j of input.jobs) out.jobs.push({ labels: { kind: j.kind, status: j.status }, value: j.count });
  for (const j of input.oldestRunningJobs) {
    out.oldestRunningJob.push({ labels: { kind: j.kind }, value: Math.max(0, (now - j.startedAt.getTime()) / 1000) });
  }
  return out;
}
