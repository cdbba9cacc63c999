// Reads what the overview's topology map needs, and no more: every gateway and tunnel
// of a small fleet, or a handful of aggregates (the hubs, their tunnel ends per health
// state, the tunnels between hubs) of a large one. The map itself is ./fleet-map (pure).
import "server-only";
import { listBusiestGateways, listMapGateways } from "@/lib/db/inventory";
import { countEndsByHealth, countTunnelsByHealth, listMapTunnels, listTunnelsAmong } from "@/lib/db/health";
import {
  aggregatedMap,
  fullMap,
  hubGroups,
  mapModeFor,
  pickHubs,
  FULL_MAP_MAX_GATEWAYS,
  FULL_MAP_MAX_TUNNELS,
  MAX_HUBS,
  type FleetMap,
} from "./fleet-map";

/** One tunnel per pair of gateways, so at most this many between the hubs. */
const MAX_HUB_LINKS = (MAX_HUBS * (MAX_HUBS - 1)) / 2;

export async function loadFleetMap(counts: { gateways: number; tunnels: number }): Promise<FleetMap> {
  if (mapModeFor(counts) === "full") {
    // The limits hold even if the fleet grew since it was counted.
    const [gateways, tunnels] = await Promise.all([listMapGateways(FULL_MAP_MAX_GATEWAYS), listMapTunnels(FULL_MAP_MAX_TUNNELS)]);
    return fullMap(gateways, tunnels);
  }
  const busiest = await listBusiestGateways(MAX_HUBS);
  const hubIds = pickHubs(busiest.map((g) => ({ gatewayId: g.id, tunnels: g.tunnels })));
  const [ends, hubLinks, totals] = await Promise.all([
    countEndsByHealth(hubIds),
    hubIds.length > 1 ? listTunnelsAmong(hubIds, MAX_HUB_LINKS) : [],
    countTunnelsByHealth(),
  ]);
  return aggregatedMap({
    hubs: busiest.filter((g) => hubIds.includes(g.id)),
    groups: hubGroups({ hubIds, ends, hubLinks, totals }),
    hubLinks,
  });
}
