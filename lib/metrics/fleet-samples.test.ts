import { describe, expect, it } from "vitest";
import { fleetSamples, type TunnelRow } from "./fleet-samples";

const now = new Date("2026-12-06T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);

const tunnel = (over: Partial<TunnelRow> = {}): TunnelRow => ({
  id: "t1",
  deployState: "deployed",
  healthState: "degraded",
  healthAt: ago(90),
  ends: [
    { role: "b", gateway: { name: "branch1-gw", platform: "centos-racoon", site: { name: "Branch 1" } } },
    { role: "a", gateway: { name: "hq-gw", platform: "strongswan", site: { name: "HQ" } } },
  ],
  keys: [{ createdAt: ago(86_400 * 10), activatedAt: ago(86_400 * 9) }],
  metrics: {
    checkedOkAt: ago(30),
    latencyMs: 12.5,
    lossPct: 20,
    bytesIn: 5_000_000_000n,
    bytesOut: 42n,
    packetsIn: 7n,
    packetsOut: 3n,
  },
  ...over,
});

const input = (tunnels: TunnelRow[]) => ({ tunnels, gateways: [], jobs: [], oldestRunningJobs: [], now });

describe("fleetSamples", () => {
  it("labels a tunnel by id, readable name, sites, gateways and platforms of ends a and b", () => {
    const s = fleetSamples(input([tunnel()]));
    expect(s.pskAge[0]!.labels).toEqual({
      tunnel_id: "t1",
      tunnel: "HQ ↔ Branch 1",
      site_a: "HQ",
      site_b: "Branch 1",
      gateway_a: "hq-gw",
      gateway_b: "branch1-gw",
      platform_a: "strongswan",
      platform_b: "centos-racoon",
    });
  });

  it("gives every state with 1 for the current one", () => {
    const s = fleetSamples(input([tunnel()]));
    expect(Object.fromEntries(s.tunnelState.map((x) => [x.labels.state, x.value]))).toEqual({
      up: 0,
      degraded: 1,
      down: 0,
      unreachable: 0,
      unknown: 0,
    });
    expect(s.tunnelStateSince[0]!.value).toBe(now.getTime() / 1000 - 90);
  });

  it("reports base units: seconds, ratios, bytes and packets per direction, ages", () => {
    const s = fleetSamples(input([tunnel()]));
    expect(s.probeLatency[0]!.value).toBe(0.0125);
    expect(s.probeLoss[0]!.value).toBe(0.2);
    expect(s.bytes.map((b) => [b.labels.direction, b.value])).toEqual([
      ["in", 5_000_000_000],
      ["out", 42],
    ]);
    expect(s.packets.map((b) => b.value)).toEqual([7, 3]);
    expect(s.sinceLastCheck[0]!.value).toBe(30);
    // The active key's age counts from its activation (a rotation), not its creation.
    expect(s.pskAge[0]!.value).toBe(86_400 * 9);
  });

  it("leaves out what was never measured: no metrics row, no answered probe, no active key", () => {
    const s = fleetSamples(input([tunnel({ metrics: null, keys: [], healthAt: null })]));
    expect(s.tunnelState).toHaveLength(5);
    expect(s.probeLatency.length + s.bytes.length + s.sinceLastCheck.length + s.pskAge.length + s.tunnelStateSince.length).toBe(0);
    const noProbe = fleetSamples(input([tunnel({ metrics: { ...tunnel().metrics!, latencyMs: null, lossPct: null, checkedOkAt: null } })]));
    expect(noProbe.probeLatency).toEqual([]);
    expect(noProbe.sinceLastCheck).toEqual([]);
    expect(noProbe.bytes).toHaveLength(2);
  });

  it("gateways: reachable 1/0 and last contact; never visited gateways are left out", () => {
    const s = fleetSamples({
      ...input([]),
      gateways: [
        { name: "hq-gw", platform: "strongswan", reachability: "ok", lastContactAt: ago(5), site: { name: "HQ" } },
        { name: "b1-gw", platform: "strongswan", reachability: "host-key-changed", lastContactAt: ago(600), site: { name: "B1" } },
        { name: "new-gw", platform: "strongswan", reachability: "unknown", lastContactAt: null, site: { name: "New" } },
      ],
    });
    expect(s.gatewayReachable.map((g) => [g.labels.gateway, g.value])).toEqual([
      ["hq-gw", 1],
      ["b1-gw", 0],
    ]);
    expect(s.gatewayLastContact.map((g) => g.value)).toEqual([now.getTime() / 1000 - 5, now.getTime() / 1000 - 600]);
  });

  it("jobs by kind and status, and the longest-running job's age per kind", () => {
    const s = fleetSamples({
      ...input([]),
      jobs: [
        { kind: "deploy", status: "succeeded", count: 4 },
        { kind: "rotate", status: "running", count: 1 },
      ],
      oldestRunningJobs: [{ kind: "rotate", startedAt: ago(700) }],
    });
    expect(s.jobs).toEqual([
      { labels: { kind: "deploy", status: "succeeded" }, value: 4 },
      { labels: { kind: "rotate", status: "running" }, value: 1 },
    ]);
    expect(s.oldestRunningJob).toEqual([{ labels: { kind: "rotate" }, value: 700 }]);
  });
});
