import { describe, expect, it } from "vitest";
import type { TunnelRow } from "./fleet-samples";
import { observeHealthRound, observeJobDuration, renderMetrics } from "./registry";

const now = new Date("2026-12-06T12:00:00Z");
const tunnel = (id: string, bytesIn: bigint): TunnelRow => ({
  id,
  deployState: "deployed",
  healthState: "up",
  healthAt: now,
  ends: [
    { role: "a", gateway: { name: "hq-gw", platform: "p1", site: { name: "HQ" } } },
    { role: "b", gateway: { name: `${id}-gw`, platform: "p2", site: { name: id } } },
  ],
  keys: [],
  metrics: { checkedOkAt: now, latencyMs: 3, lossPct: 0, bytesIn, bytesOut: 1n, packetsIn: 1n, packetsOut: 1n },
});
const fleet = (tunnels: TunnelRow[]) => async () => ({ tunnels, gateways: [], jobs: [], oldestRunningJobs: [], now });

describe("renderMetrics", () => {
  it("serves traffic as counters with the stored totals, the state set, and this instance's histograms", async () => {
    observeJobDuration("deploy", "failed", 12);
    observeHealthRound(1.5);
    const { contentType, body } = await renderMetrics(fleet([tunnel("b1", 123_456_789_012n)]));
    expect(contentType).toContain("text/plain; version=0.0.4");
    expect(body).toContain("# TYPE gatewarden_tunnel_bytes_total counter");
    expect(body).toMatch(/^gatewarden_tunnel_bytes_total\{tunnel_id="b1",tunnel="HQ ↔ b1",.*direction="in"\} 123456789012$/m);
    expect(body).toMatch(/^gatewarden_tunnel_state\{tunnel_id="b1",.*state="up"\} 1$/m);
    expect(body).toMatch(/^gatewarden_tunnel_state\{tunnel_id="b1",.*state="down"\} 0$/m);
    expect(body).toMatch(/^gatewarden_job_duration_seconds_count\{kind="deploy",result="failed"\} 1$/m);
    expect(body).toMatch(/^gatewarden_health_round_duration_seconds_count 1$/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it("drops a deleted tunnel's series at the next scrape and serves the new totals, not a sum of scrapes", async () => {
    await renderMetrics(fleet([tunnel("b1", 100n), tunnel("b2", 5n)]));
    const { body } = await renderMetrics(fleet([tunnel("b2", 7n)]));
    expect(body).not.toContain('tunnel_id="b1"');
    expect(body).toMatch(/^gatewarden_tunnel_bytes_total\{tunnel_id="b2",.*direction="in"\} 7$/m);
  });
});
