// The Prometheus registry behind GET /metrics (prom-client). Two kinds of values:
//   - fleet values (tunnels, gateways, job counts) read from the database at each scrape,
//     so every app instance serves the same numbers, whichever instance polls;
//   - this instance's own: process metrics, job durations (jobs run where they are
//     claimed) and health round durations (only the polling leader has rounds).
// One registry per process, on globalThis: Next.js may load this module once for the
// instrumentation hook (poller, jobs) and again for the route.
import "server-only";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { GATEWAY_LABELS, TUNNEL_LABELS, fleetSamples, type FleetSamples, type Sample } from "./fleet-samples";

const tunnelLabels = [...TUNNEL_LABELS];
const gatewayLabels = [...GATEWAY_LABELS];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [registry] });
  const fleet = {
    tunnelState: gauge("gatewarden_tunnel_state", "1 for the tunnel's current health state, 0 for the others.", [...tunnelLabels, "state"]),
    tunnelStateSince: gauge(
      "gatewarden_tunnel_state_since_timestamp_seconds",
      "When the tunnel entered its current health state (Unix time).",
      tunnelLabels,
    ),
    probeLatency: gauge(
      "gatewarden_tunnel_probe_latency_seconds",
      "Average round trip of the last in-tunnel probe that answered.",
      tunnelLabels,
    ),
    probeLoss: gauge("gatewarden_tunnel_probe_loss_ratio", "Share of the last in-tunnel probe's packets lost (0 to 1).", tunnelLabels),
    bytes: new Counter({
      name: "gatewarden_tunnel_bytes_total",
      help: "Bytes through the tunnel's CHILD SAs as gateway A counts them (in: from B, out: to B), kept monotonic across rekeys.",
      labelNames: [...tunnelLabels, "direction"],
      registers: [registry],
    }),
    packets: new Counter({
      name: "gatewarden_tunnel_packets_total",
      help: "Packets through the tunnel's CHILD SAs as gateway A counts them (in: from B, out: to B), kept monotonic across rekeys.",
      labelNames: [...tunnelLabels, "direction"],
      registers: [registry],
    }),
    sinceLastCheck: gauge(
      "gatewarden_tunnel_seconds_since_last_successful_check",
      "Seconds since a health round last reached both of the tunnel's gateways.",
      tunnelLabels,
    ),
    pskAge: gauge("gatewarden_tunnel_psk_age_seconds", "Age of the tunnel's active pre-shared key.", tunnelLabels),
    gatewayReachable: gauge(
      "gatewarden_gateway_management_reachable",
      "1 when the last SSH contact succeeded, 0 when it failed.",
      gatewayLabels,
    ),
    gatewayLastContact: gauge(
      "gatewarden_gateway_last_contact_timestamp_seconds",
      "When Gatewarden last reached the gateway over SSH (Unix time).",
      gatewayLabels,
    ),
    jobs: gauge("gatewarden_jobs", "Jobs in the database by kind and status (queued, running, succeeded, failed, interrupted).", [
      "kind",
      "status",
    ]),
    oldestRunningJob: gauge("gatewarden_job_oldest_running_seconds", "How long the longest-running job of each kind has run.", ["kind"]),
  } satisfies Record<keyof FleetSamples, Gauge | Counter>;
  const jobDuration = new Histogram({
    name: "gatewarden_job_duration_seconds",
    help: "Jobs this instance ran, by kind and result (succeeded, failed), and how long they took.",
    labelNames: ["kind", "result"],
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const roundDuration = new Histogram({
    name: "gatewarden_health_round_duration_seconds",
    help: "Duration of the health rounds over the whole fleet run by this instance.",
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [registry],
  });
  return { registry, fleet, jobDuration, roundDuration };
}

type Metrics = ReturnType<typeof createMetrics>;
const globalForMetrics = globalThis as unknown as { gatewardenMetrics?: Metrics; gatewardenMetricsRender?: Promise<unknown> };

function metrics(): Metrics {
  globalForMetrics.gatewardenMetrics ??= createMetrics();
  return globalForMetrics.gatewardenMetrics;
}

export function observeJobDuration(kind: string, result: "succeeded" | "failed" | "interrupted", seconds: number): void {
  metrics().jobDuration.observe({ kind, result }, seconds);
}

export function observeHealthRound(seconds: number): void {
  metrics().roundDuration.observe(seconds);
}

function apply(m: Metrics, samples: FleetSamples) {
  for (const [key, metric] of Object.entries(m.fleet) as [keyof FleetSamples, Gauge | Counter][]) {
    // Reset first: a deleted tunnel or gateway disappears from the output.
    metric.reset();
    for (const s of samples[key] as Sample[]) {
      if (metric instanceof Counter) metric.inc(s.labels, s.value);
      else metric.set(s.labels, s.value);
    }
  }
}

/**
 * The Prometheus text of this instance: fleet values loaded now, then everything rendered.
 * Scrapes run one at a time: each resets and sets the fleet metrics, which must not
 * interleave with another scrape's rendering (prom-client 15 happens to read values before
 * its first await, but that is its internals, not its contract).
 */
export function renderMetrics(load: () => Promise<Parameters<typeof fleetSamples>[0]>): Promise<{ contentType: string; body: string }> {
  const previous = globalForMetrics.gatewardenMetricsRender ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const m = metrics();
      apply(m, fleetSamples(await load()));
      return { contentType: m.registry.contentType, body: await m.registry.metrics() };
    });
  globalForMetrics.gatewardenMetricsRender = run;
  return run;
}

/** The names of every metric this registry serves (docs checks). */
export function metricNamesServed(): string[] {
  return metrics()
    .registry.getMetricsAsArray()
    .map((m) => m.name);
}
