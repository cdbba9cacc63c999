import { describe, expect, it } from "vitest";
import {
  aggregatedMap,
  fullMap,
  hubGroups,
  layoutCircle,
  mapModeFor,
  pickHubs,
  MAX_HUBS,
  type HubGroup,
  type MapGateway,
} from "./fleet-map";

const gw = (i: number): MapGateway => ({
  id: `g${i}`,
  siteId: `s${i}`,
  siteName: i === 0 ? "HQ" : `Branch ${i}`,
  name: i === 0 ? "hq-gw" : `b${i}-gw`,
});

describe("mapModeFor", () => {
  it("draws every gateway up to 60 gateways and 120 tunnels, and aggregates above", () => {
    expect(mapModeFor({ gateways: 10, tunnels: 10 })).toBe("full");
    expect(mapModeFor({ gateways: 60, tunnels: 120 })).toBe("full");
    expect(mapModeFor({ gateways: 61, tunnels: 60 })).toBe("aggregated");
    expect(mapModeFor({ gateways: 30, tunnels: 121 })).toBe("aggregated");
  });
});

describe("layoutCircle", () => {
  it("puts the busiest gateway in the middle and the others on a circle", () => {
    const pos = layoutCircle(
      ["a", "hub", "b", "c"],
      new Map([
        ["hub", 3],
        ["a", 1],
        ["b", 1],
        ["c", 1],
      ]),
    );
    expect(pos.get("hub")).toEqual({ x: 0, y: 0 });
    for (const id of ["a", "b", "c"]) expect(Math.hypot(pos.get(id)!.x, pos.get(id)!.y)).toBeCloseTo(220, -1);
  });

  it("lays a hub with two spokes out side by side (left, hub, right), not as a vertical chain", () => {
    const pos = layoutCircle(
      ["hub", "a", "b"],
      new Map([
        ["hub", 2],
        ["a", 1],
        ["b", 1],
      ]),
    );
    expect(pos.get("hub")).toEqual({ x: 0, y: 0 });
    expect(pos.get("a")).toEqual({ x: -220, y: 0 });
    expect(pos.get("b")).toEqual({ x: 220, y: 0 });
  });

  it("puts two gateways with one tunnel side by side", () => {
    const pos = layoutCircle(
      ["a", "b"],
      new Map([
        ["a", 1],
        ["b", 1],
      ]),
    );
    expect(pos.get("a")!.y).toBe(pos.get("b")!.y);
  });
});

describe("fullMap", () => {
  it("has a node per gateway (opening its site) and an edge per tunnel (opening the tunnel)", () => {
    const map = fullMap(
      [gw(0), gw(1), gw(2)],
      [
        { id: "t1", a: "g1", b: "g0", state: "up", reason: null },
        { id: "t2", a: "g2", b: "g0", state: "down", reason: "100% loss" },
      ],
    );
    expect(map.mode).toBe("full");
    expect(map.nodes.map((n) => [n.id, n.label, n.href])).toEqual([
      ["g0", "HQ · hq-gw", "/sites/s0"],
      ["g1", "Branch 1 · b1-gw", "/sites/s1"],
      ["g2", "Branch 2 · b2-gw", "/sites/s2"],
    ]);
    expect(map.edges[1]).toMatchObject({
      id: "t2",
      source: "g2",
      target: "g0",
      state: "down",
      title: "down: 100% loss",
      href: "/tunnels/t2",
    });
  });
});

describe("pickHubs", () => {
  it("takes the busiest gateways with at least 3 tunnels, at most 6", () => {
    const busiest = Array.from({ length: 9 }, (_, i) => ({ gatewayId: `g${i}`, tunnels: 10 - i }));
    expect(pickHubs(busiest)).toEqual(["g0", "g1", "g2", "g3", "g4", "g5"]);
    expect(
      pickHubs([
        { gatewayId: "a", tunnels: 2 },
        { gatewayId: "b", tunnels: 5 },
      ]),
    ).toEqual(["b"]);
  });
});

describe("hubGroups", () => {
  it("counts each hub's spokes per state without the tunnels between hubs, and the rest under no hub", () => {
    // HQ: 90 up + 9 down spokes and the HQ↔DR link (degraded); DR: 4 up spokes and the link;
    // 2 up tunnels between branches.
    const groups = hubGroups({
      hubIds: ["hq", "dr"],
      ends: [
        { gatewayId: "hq", state: "up", count: 90 },
        { gatewayId: "hq", state: "down", count: 9 },
        { gatewayId: "hq", state: "degraded", count: 1 },
        { gatewayId: "dr", state: "up", count: 4 },
        { gatewayId: "dr", state: "degraded", count: 1 },
      ],
      hubLinks: [{ id: "link", a: "dr", b: "hq", state: "degraded", reason: null }],
      totals: { up: 96, down: 9, degraded: 1 },
    });
    expect(groups).toEqual([
      { hubId: "hq", state: "up", count: 90 },
      { hubId: "hq", state: "down", count: 9 },
      { hubId: "dr", state: "up", count: 4 },
      { hubId: null, state: "up", count: 2 },
    ]);
  });

  it("ignores ends of gateways that are not hubs", () => {
    expect(hubGroups({ hubIds: [], ends: [{ gatewayId: "x", state: "up", count: 3 }], hubLinks: [], totals: { up: 5 } })).toEqual([
      { hubId: null, state: "up", count: 5 },
    ]);
  });
});

describe("aggregatedMap", () => {
  const groups = (hubId: string | null, n: number): HubGroup[] => [
    { hubId, state: "down", count: Math.round(n * 0.1) },
    { hubId, state: "up", count: Math.round(n * 0.7) },
    { hubId, state: "degraded", count: Math.round(n * 0.1) },
    { hubId, state: "unknown", count: 0 },
  ];

  it("draws a hub with one node per state of its spokes, opening the filtered tunnel list", () => {
    const map = aggregatedMap({
      hubs: [{ ...gw(0), tunnels: 999 }],
      groups: [...groups("g0", 990), { hubId: null, state: "up", count: 1 }],
      hubLinks: [],
    });
    expect(map.mode).toBe("aggregated");
    expect(map.nodes.map((n) => [n.id, n.label])).toEqual([
      ["g0", "HQ · hq-gw"],
      ["group:g0:up", "693 up"],
      ["group:g0:degraded", "99 degraded"],
      ["group:g0:down", "99 down"],
      ["elsewhere", "Not via a hub"],
      ["group:elsewhere:up", "1 up"],
    ]);
    expect(map.nodes.find((n) => n.id === "group:g0:down")).toMatchObject({ state: "down", href: "/tunnels?gateway=g0&health=down" });
    expect(map.nodes.find((n) => n.id === "group:elsewhere:up")!.href).toBe("/tunnels?health=up");
    expect(map.edges.find((e) => e.target === "group:g0:down")).toMatchObject({
      source: "g0",
      state: "down",
      title: "99 tunnels down at HQ · hq-gw",
    });
  });

  it("draws tunnels between two hubs one by one", () => {
    const map = aggregatedMap({
      hubs: [
        { ...gw(0), tunnels: 500 },
        { ...gw(1), tunnels: 400 },
      ],
      groups: [...groups("g0", 499), ...groups("g1", 399)],
      hubLinks: [{ id: "t-hubs", a: "g1", b: "g0", state: "degraded", reason: "one direction silent" }],
    });
    expect(map.edges.find((e) => e.id === "t-hubs")).toMatchObject({ source: "g1", target: "g0", href: "/tunnels/t-hubs" });
  });

  it("does not grow with the fleet, and places no two nodes on one spot", () => {
    const size = (n: number) => {
      const hubs = Array.from({ length: MAX_HUBS }, (_, i) => ({ ...gw(i), tunnels: n }));
      const map = aggregatedMap({ hubs, groups: [...hubs.flatMap((h) => groups(h.id, n)), ...groups(null, n)], hubLinks: [] });
      const spots = new Set(map.nodes.map((p) => `${p.x},${p.y}`));
      expect(spots.size).toBe(map.nodes.length);
      return map.nodes.length + map.edges.length;
    };
    expect(size(100_000)).toBe(size(100));
  });
});
