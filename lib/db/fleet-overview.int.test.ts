// The overview's and the long lists' queries on a 1,050-tunnel fleet, on SQLite and on
// PostgreSQL: aggregates instead of rows, the worst tunnels first, bounded pages, and
// a topology map of hubs and grouped spokes. Rows are written with createMany (the
// wizard would take minutes for this many) in the shape the wizard leaves them.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";
import { freshPgDatabase, type TempPgDatabase } from "@/e2e/support/pg-db";

const BRANCHES = 1048;
const TO_DR = 5; // the last branches hang off the second hub
const STATES = ["up", "up", "up", "up", "up", "up", "up", "degraded", "down", "unreachable"] as const;
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

type Fleet = { hq: string; dr: string; tunnels: { id: string; state: string; at: number }[]; hubLink: string };

async function seedFleet(): Promise<Fleet> {
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  const profile = await db.cryptoProfile.create({ data: { name: "Test", spec: "{}" } });
  const names = ["HQ", "DR", ...Array.from({ length: BRANCHES }, (_, i) => `Branch ${String(i).padStart(4, "0")}`)];
  await db.site.createMany({ data: names.map((name, i) => ({ id: `site${i}`, name })) });
  await db.gateway.createMany({
    data: names.map((_, i) => ({
      id: `gw${i}`,
      siteId: `site${i}`,
      name: `gw${i}`,
      platform: "strongswan",
      publicIp: `198.19.${i >> 8}.${i & 255}`,
      sshHost: `198.19.${i >> 8}.${i & 255}`,
      sshUser: "root",
      sshAuthType: "key",
      sshSecretEnc: "x",
      wanInterface: "eth0",
      lanInterface: "eth1",
      lanAddress: `10.${i >> 8}.${i & 255}.254`,
    })),
  });
  const pairs: [number, number][] = [];
  for (let b = 0; b < BRANCHES; b++) pairs.push([b + 2, b < BRANCHES - TO_DR ? 0 : 1]);
  pairs.push([1, 0]); // HQ ↔ DR
  pairs.push([2, 3]); // Branch 0000 ↔ Branch 0001
  const tunnels = pairs.map(([a, b], i) => ({
    id: `t${String(i).padStart(4, "0")}`,
    a,
    b,
    state: STATES[i % STATES.length]!,
    at: T0 - i * 1000,
  }));
  await db.tunnel.createMany({
    data: tunnels.map((t, i) => ({
      id: t.id,
      kind: "net-to-net",
      pairKey: `gw${t.a}:gw${t.b}`,
      cryptoProfileId: profile.id,
      healthState: t.state,
      healthReason: `seeded ${t.state}`,
      healthAt: new Date(t.at),
      createdAt: new Date(T0 + i),
    })),
  });
  const nextIf = new Map<number, number>();
  const ifOf = (g: number) => {
    const n = nextIf.get(g) ?? 0;
    nextIf.set(g, n + 1);
    return `ipsec${n}`;
  };
  await db.tunnelEnd.createMany({
    data: tunnels.flatMap((t) => [
      { tunnelId: t.id, gatewayId: `gw${t.a}`, role: "a", interfaceName: ifOf(t.a) },
      { tunnelId: t.id, gatewayId: `gw${t.b}`, role: "b", interfaceName: ifOf(t.b) },
    ]),
  });
  return { hq: "gw0", dr: "gw1", tunnels: tunnels.map(({ id, state, at }) => ({ id, state, at })), hubLink: tunnels[BRANCHES]!.id };
}

describe.each(["sqlite", "postgres"] as const)("fleet overview queries on %s", (provider) => {
  let pg: TempPgDatabase | null = null;
  let fleet: Fleet;

  beforeAll(async () => {
    vi.resetModules();
    delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
    if (provider === "postgres") {
      pg = await freshPgDatabase("gatewarden_overview_test");
      process.env.DATABASE_URL = pg.url;
    } else {
      delete process.env.DATABASE_URL;
      await freshAppDatabase();
    }
    fleet = await seedFleet();
  });

  afterAll(async () => {
    const { getDb } = await import("@/lib/db/client");
    await getDb().$disconnect();
    delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
    delete process.env.DATABASE_URL;
    await pg?.drop();
  });

  it("counts tunnels per health state in one aggregate", async () => {
    const { countTunnelsByHealth } = await import("@/lib/db/health");
    const expected: Record<string, number> = {};
    for (const t of fleet.tunnels) expected[t.state] = (expected[t.state] ?? 0) + 1;
    expect(await countTunnelsByHealth()).toEqual(expected);
  });

  it("lists the 50 worst tunnels, down first, the longest-standing first, reading no more", async () => {
    const { listWorstTunnels } = await import("@/lib/db/health");
    const { ATTENTION_STATES } = await import("@/lib/health/attention");
    const shown = await listWorstTunnels(ATTENTION_STATES, 50);
    const oldestDown = fleet.tunnels
      .filter((t) => t.state === "down")
      .sort((x, y) => x.at - y.at)
      .slice(0, 50)
      .map((t) => t.id);
    expect(shown.map((t) => t.id)).toEqual(oldestDown);
    expect(shown[0]!.ends.map((e) => e.gateway.site.name)).toHaveLength(2);
    // Fewer of the worst state than asked for: the next states fill the list, in order.
    const downs = fleet.tunnels.filter((t) => t.state === "down").length;
    const more = await listWorstTunnels(ATTENTION_STATES, downs + 3);
    expect(more.map((t) => t.healthState)).toEqual([...Array(downs).fill("down"), "unreachable", "unreachable", "unreachable"]);
  });

  it("pages through the tunnels that need attention, longest-standing first, each once", async () => {
    const { countTunnels, listTunnelsPage } = await import("@/lib/db/inventory");
    const filter = { states: ["down", "unreachable", "degraded"] };
    const total = await countTunnels(filter);
    expect(total).toBe(fleet.tunnels.filter((t) => t.state !== "up").length);
    const seen: string[] = [];
    for (let skip = 0; skip < total; skip += 50) seen.push(...(await listTunnelsPage(filter, { skip, take: 50 })).map((t) => t.id));
    const expected = fleet.tunnels
      .filter((t) => t.state !== "up")
      .sort((x, y) => x.at - y.at)
      .map((t) => t.id);
    expect(seen).toEqual(expected);
  });

  it("filters the tunnel list by gateway and state", async () => {
    const { countTunnels, listTunnelsPage } = await import("@/lib/db/inventory");
    const atDr = fleet.tunnels.filter((_, i) => i >= BRANCHES - TO_DR && i <= BRANCHES);
    expect(await countTunnels({ gatewayId: fleet.dr })).toBe(atDr.length);
    const upAtDr = await listTunnelsPage({ gatewayId: fleet.dr, states: ["up"] }, { skip: 0, take: 50 });
    expect(upAtDr.map((t) => t.id).sort()).toEqual(
      atDr
        .filter((t) => t.state === "up")
        .map((t) => t.id)
        .sort(),
    );
    // The hub's list: oldest tunnel first, or longest in its state first when filtered.
    const atHq = fleet.tunnels.filter((_, i) => i < BRANCHES - TO_DR || i === BRANCHES);
    expect(await countTunnels({ gatewayId: fleet.hq })).toBe(atHq.length);
    expect((await listTunnelsPage({ gatewayId: fleet.hq }, { skip: 100, take: 3 })).map((t) => t.id)).toEqual(
      atHq.slice(100, 103).map((t) => t.id),
    );
    const downAtHq = atHq.filter((t) => t.state === "down").sort((x, y) => x.at - y.at);
    expect(await countTunnels({ gatewayId: fleet.hq, states: ["down"] })).toBe(downAtHq.length);
    expect((await listTunnelsPage({ gatewayId: fleet.hq, states: ["down"] }, { skip: 50, take: 50 })).map((t) => t.id)).toEqual(
      downAtHq.slice(50, 100).map((t) => t.id),
    );
  });

  it("pages the sites by name, and lists the busiest first", async () => {
    const { countSites, listBusiestSites, listSitesPage } = await import("@/lib/db/inventory");
    expect(await countSites()).toBe(BRANCHES + 2);
    const last = await listSitesPage({ skip: 998, take: 50 });
    expect(last.map((s) => s.name)).toEqual(Array.from({ length: 50 }, (_, i) => `Branch ${String(998 + i).padStart(4, "0")}`));
    const busiest = await listBusiestSites(4);
    expect(busiest.map((s) => [s.name, s.gateway?._count.tunnelEnds])).toEqual([
      ["HQ", BRANCHES - TO_DR + 1],
      ["DR", TO_DR + 1],
      ["Branch 0000", 2],
      ["Branch 0001", 2],
    ]);
  });

  it("maps the large fleet as its two hubs with spokes grouped by state, the hub link and the rest", async () => {
    const { getOverviewCounts } = await import("@/lib/db/inventory");
    const { loadFleetMap } = await import("@/lib/health/load-fleet-map");
    const map = await loadFleetMap(await getOverviewCounts());
    expect(map.mode).toBe("aggregated");
    const groups = map.nodes.filter((n) => n.kind === "group");
    const sum = (prefix: string) => groups.filter((n) => n.id.startsWith(prefix)).reduce((s, n) => s + Number(n.label.split(" ")[0]), 0);
    expect(sum(`group:${fleet.hq}:`)).toBe(BRANCHES - TO_DR);
    expect(sum(`group:${fleet.dr}:`)).toBe(TO_DR);
    expect(sum("group:elsewhere:")).toBe(1);
    expect(map.nodes.filter((n) => n.kind !== "group").map((n) => n.id)).toEqual([fleet.hq, fleet.dr, "elsewhere"]);
    expect(map.edges.filter((e) => e.kind === "tunnel").map((e) => e.id)).toEqual([fleet.hubLink]);
    expect(map.nodes.length).toBeLessThan(20);
  });

  it("keeps the full map within its limits even when the counts it was given are stale", async () => {
    const { loadFleetMap } = await import("@/lib/health/load-fleet-map");
    const { FULL_MAP_MAX_GATEWAYS, FULL_MAP_MAX_TUNNELS } = await import("@/lib/health/fleet-map");
    const map = await loadFleetMap({ gateways: 10, tunnels: 10 });
    expect(map.mode).toBe("full");
    expect(map.nodes.length).toBe(FULL_MAP_MAX_GATEWAYS);
    expect(map.edges.length).toBeLessThanOrEqual(FULL_MAP_MAX_TUNNELS);
  });
});
