// The overview's topology map as plain data (nodes with positions, edges, where a
// click goes), so what the page ships stays bounded however large the fleet is:
// - small fleets (≤ FULL_MAP_MAX_GATEWAYS gateways and ≤ FULL_MAP_MAX_TUNNELS tunnels):
//   every gateway and every tunnel, as before;
// - larger ones: only the hubs (the busiest gateways), each with one node per health
//   state of its spokes ("412 up", "3 down") that opens the filtered tunnel list, the
//   tunnels between hubs drawn one by one, and the tunnels touching no hub grouped the
//   same way under "Not via a hub". At most MAX_HUBS + 1 clusters of ≤ 5 states, all
//   from aggregates (hubGroups), never a row per tunnel.
// Pure: lib/db supplies the rows, components/topology-map.tsx draws the result.
import { HEALTH_STATES } from "./evaluate";

export const FULL_MAP_MAX_GATEWAYS = 60;
export const FULL_MAP_MAX_TUNNELS = 120;
export const MAX_HUBS = 6;
/** A gateway with fewer tunnels is a spoke, whatever its rank. */
export const HUB_MIN_TUNNELS = 3;

export type MapNode = {
  id: string;
  kind: "gateway" | "hub" | "elsewhere" | "group";
  label: string;
  /** Second line, e.g. "998 tunnels". */
  detail?: string;
  href: string;
  /** Group nodes: the health state they count. */
  state?: string;
  x: number;
  y: number;
};
/** kind "tunnel": one tunnel; "spokes": a hub's tunnels of one state, to their group node. */
export type MapEdge = {
  id: string;
  kind: "tunnel" | "spokes";
  source: string;
  target: string;
  state: string;
  label: string;
  title: string;
  href: string;
};
export type FleetMap = { mode: "full" | "aggregated"; nodes: MapNode[]; edges: MapEdge[] };

export type MapGateway = { id: string; siteId: string; siteName: string; name: string };
export type MapTunnel = { id: string; a: string; b: string; state: string; reason: string | null };
/** Tunnels of one state at a hub (hubId null: tunnels with no hub at either end). */
export type HubGroup = { hubId: string | null; state: string; count: number };

export function mapModeFor(counts: { gateways: number; tunnels: number }): FleetMap["mode"] {
  return counts.gateways <= FULL_MAP_MAX_GATEWAYS && counts.tunnels <= FULL_MAP_MAX_TUNNELS ? "full" : "aggregated";
}

/** The hubs among the busiest gateways (tunnel count, busiest first). */
export function pickHubs(busiest: readonly { gatewayId: string; tunnels: number }[]): string[] {
  return [...busiest]
    .filter((g) => g.tunnels >= HUB_MIN_TUNNELS)
    .sort((x, y) => y.tunnels - x.tunnels || x.gatewayId.localeCompare(y.gatewayId))
    .slice(0, MAX_HUBS)
    .map((g) => g.gatewayId);
}

/**
 * Spokes per state at each hub, and (hubId null) tunnels touching no hub, from three
 * small aggregates: the hubs' tunnel ends per state, the tunnels between two hubs
 * (counted at both, and drawn on their own), and the fleet's tunnels per state.
 */
export function hubGroups(input: {
  hubIds: readonly string[];
  ends: readonly { gatewayId: string; state: string; count: number }[];
  hubLinks: readonly MapTunnel[];
  totals: Readonly<Record<string, number>>;
}): HubGroup[] {
  const counts = new Map<string | null, Map<string, number>>([...input.hubIds, null].map((h) => [h, new Map()]));
  const add = (hubId: string | null, state: string, n: number) => {
    const m = counts.get(hubId);
    if (m) m.set(state, (m.get(state) ?? 0) + n);
  };
  for (const [state, n] of Object.entries(input.totals)) add(null, state, n);
  for (const e of input.ends) {
    if (!counts.has(e.gatewayId)) continue;
    add(e.gatewayId, e.state, e.count);
    add(null, e.state, -e.count);
  }
  for (const t of input.hubLinks) {
    add(t.a, t.state, -1);
    add(t.b, t.state, -1);
    add(null, t.state, 1);
  }
  return [...counts].flatMap(([hubId, m]) => [...m].filter(([, n]) => n > 0).map(([state, count]) => ({ hubId, state, count })));
}

/**
 * The busiest gateway (the hub) in the middle, the others on a circle round it, the
 * first on the left: two spokes sit left and right of their hub (the map's frame is
 * wide), not in a vertical chain whose edges leave the view.
 */
export function layoutCircle(ids: readonly string[], degree: ReadonlyMap<string, number>): Map<string, { x: number; y: number }> {
  const sorted = [...ids].sort((x, y) => (degree.get(y) ?? 0) - (degree.get(x) ?? 0) || x.localeCompare(y));
  const pos = new Map<string, { x: number; y: number }>();
  const hub = sorted.length > 2 && (degree.get(sorted[0]!) ?? 0) > 1 ? sorted.shift()! : null;
  const radius = Math.max(220, sorted.length * 45);
  if (hub) pos.set(hub, { x: 0, y: 0 });
  sorted.forEach((id, i) => {
    const angle = Math.PI + (2 * Math.PI * i) / sorted.length;
    pos.set(id, { x: Math.round(radius * Math.cos(angle)) || 0, y: Math.round(radius * Math.sin(angle)) || 0 }); // || 0: no -0
  });
  return pos;
}

const gatewayLabel = (g: MapGateway) => `${g.siteName} · ${g.name}`;
const tunnelsWord = (n: number) => `${n} tunnel${n === 1 ? "" : "s"}`;

function tunnelEdge(t: MapTunnel): MapEdge {
  return {
    id: t.id,
    kind: "tunnel",
    source: t.a,
    target: t.b,
    state: t.state,
    label: t.state,
    title: `${t.state}${t.reason ? `: ${t.reason}` : ""}`,
    href: `/tunnels/${t.id}`,
  };
}

export function fullMap(gateways: readonly MapGateway[], tunnels: readonly MapTunnel[]): FleetMap {
  const degree = new Map<string, number>();
  for (const t of tunnels) for (const g of [t.a, t.b]) degree.set(g, (degree.get(g) ?? 0) + 1);
  const pos = layoutCircle(
    gateways.map((g) => g.id),
    degree,
  );
  const known = new Set(gateways.map((g) => g.id));
  return {
    mode: "full",
    nodes: gateways.map((g) => ({ id: g.id, kind: "gateway", label: gatewayLabel(g), href: `/sites/${g.siteId}`, ...pos.get(g.id)! })),
    edges: tunnels.filter((t) => known.has(t.a) && known.has(t.b)).map(tunnelEdge),
  };
}

const ELSEWHERE = "elsewhere";
// Positions are node centres. Clusters sit on a ring starting on the left, so two of
// them (the usual hub + "not via a hub") lie side by side in the map's wide frame.
const CLUSTER_SPACING = 130;
const MIN_RING = 280;
const GROUP_RADIUS = 170;
const GROUP_SPREAD_RAD = 0.55;

export function aggregatedMap(input: {
  hubs: readonly (MapGateway & { tunnels: number })[];
  groups: readonly HubGroup[];
  hubLinks: readonly MapTunnel[];
}): FleetMap {
  const order = (s: string) => {
    const i = (HEALTH_STATES as readonly string[]).indexOf(s);
    return i < 0 ? HEALTH_STATES.length : i;
  };
  const groupsOf = (hubId: string | null) =>
    input.groups.filter((g) => g.hubId === hubId && g.count > 0).sort((x, y) => order(x.state) - order(y.state));
  const elsewhere = groupsOf(null);
  const clusters: { node: Omit<MapNode, "x" | "y">; hubId: string | null }[] = input.hubs.map((h) => ({
    hubId: h.id,
    node: { id: h.id, kind: "hub", label: gatewayLabel(h), detail: tunnelsWord(h.tunnels), href: `/sites/${h.siteId}` },
  }));
  if (elsewhere.length) {
    const total = elsewhere.reduce((n, g) => n + g.count, 0);
    clusters.push({
      hubId: null,
      node: { id: ELSEWHERE, kind: "elsewhere", label: "Not via a hub", detail: tunnelsWord(total), href: "/tunnels" },
    });
  }

  const nodes: MapNode[] = [];
  const edges: MapEdge[] = [];
  const k = clusters.length;
  const ring = k > 1 ? Math.max(MIN_RING, k * CLUSTER_SPACING) : 0;
  clusters.forEach((c, i) => {
    const toward = Math.PI + (2 * Math.PI * i) / Math.max(1, k);
    const cx = Math.round(ring * Math.cos(toward));
    const cy = Math.round(ring * Math.sin(toward));
    nodes.push({ ...c.node, x: cx, y: cy });
    const groups = groupsOf(c.hubId);
    groups.forEach((g, j) => {
      // One hub alone: its groups all round it; several: fanned outwards, away from the others.
      const angle = k > 1 ? toward + (j - (groups.length - 1) / 2) * GROUP_SPREAD_RAD : (2 * Math.PI * j) / groups.length - Math.PI / 2;
      const key = `${c.hubId ?? ELSEWHERE}:${g.state}`;
      const href = c.hubId ? `/tunnels?gateway=${encodeURIComponent(c.hubId)}&health=${g.state}` : `/tunnels?health=${g.state}`;
      const title = `${tunnelsWord(g.count)} ${g.state}${c.hubId ? ` at ${c.node.label}` : " not via a hub"}`;
      nodes.push({
        id: `group:${key}`,
        kind: "group",
        label: `${g.count} ${g.state}`,
        href,
        state: g.state,
        x: Math.round(cx + GROUP_RADIUS * Math.cos(angle)),
        y: Math.round(cy + GROUP_RADIUS * Math.sin(angle)),
      });
      edges.push({
        id: `spokes:${key}`,
        kind: "spokes",
        source: c.node.id,
        target: `group:${key}`,
        state: g.state,
        label: "",
        title,
        href,
      });
    });
  });
  const hubIds = new Set(input.hubs.map((h) => h.id));
  for (const t of input.hubLinks) if (hubIds.has(t.a) && hubIds.has(t.b)) edges.push(tunnelEdge(t));
  return { mode: "aggregated", nodes, edges };
}
