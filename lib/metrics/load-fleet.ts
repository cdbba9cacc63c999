// Reads what GET /metrics reports about the fleet: four queries, whatever its size.
import "server-only";
import { countJobsByKindAndStatus, listGatewayMetricRows, listTunnelMetricRows, oldestRunningJobStart } from "@/lib/db/tunnel-metrics";
import type { fleetSamples } from "./fleet-samples";

export async function loadFleetForMetrics(): Promise<Parameters<typeof fleetSamples>[0]> {
  const [tunnels, gateways, jobs, oldestRunningJobs] = await Promise.all([
    listTunnelMetricRows(),
    listGatewayMetricRows(),
    countJobsByKindAndStatus(),
    oldestRunningJobStart(),
  ]);
  return { tunnels, gateways, jobs, oldestRunningJobs, now: new Date() };
}
