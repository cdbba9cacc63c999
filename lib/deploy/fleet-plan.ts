// Pure: how a fleet operation (deploy, rotation) splits its tunnels into batches that
// fit the SSH sessions it may hold open, and which end of each tunnel does the
// per-tunnel work (initiating, reauthenticating, the LAN ping), so a hub's N tunnels
// are not all worked from the hub: the hub does what is per router (upload, load its
// configuration or keys once, list its SAs), its spokes what is per tunnel, in parallel.
import type { Command, Platform, TunnelEnd } from "@/lib/platforms/contract";

export type EndRole = "a" | "b";

/**
 * Routers a fleet operation works on at once within a phase, one SSH session each, unless
 * GATEWARDEN_PARALLEL_GATEWAYS says otherwise (lib/config/env: parallelGateways()).
 */
export const DEFAULT_PARALLEL_GATEWAYS = 32;
/**
 * Commands run at once as channels of one router's session: OpenSSH refuses channels
 * beyond MaxSessions (10 by default), so a hub's N pings cannot all start together.
 */
export const CHANNELS_PER_SESSION = 4;

export type BatchTunnel = { tunnelId: string; a: string; b: string };

/** How many of these tunnels each gateway is an end of. */
export function gatewayLoad(tunnels: readonly BatchTunnel[]): Map<string, number> {
  const load = new Map<string, number>();
  for (const t of tunnels) for (const g of [t.a, t.b]) load.set(g, (load.get(g) ?? 0) + 1);
  return load;
}

/**
 * Batches with at most `maxGateways` distinct gateways each, every tunnel in exactly
 * one. Tunnels are taken busiest gateway first, so a hub's tunnels stay together and
 * the hub appears in as few batches as possible.
 */
export function chunkByGateways(tunnels: readonly BatchTunnel[], maxGateways: number): BatchTunnel[][] {
  if (maxGateways < 2) throw new Error("chunkByGateways: a tunnel needs two gateways");
  const load = gatewayLoad(tunnels);
  const busiest = (t: BatchTunnel) => ((load.get(t.a) ?? 0) >= (load.get(t.b) ?? 0) ? t.a : t.b);
  const ordered = [...tunnels].sort((x, y) => {
    const gx = busiest(x);
    const gy = busiest(y);
    return (load.get(gy) ?? 0) - (load.get(gx) ?? 0) || gx.localeCompare(gy) || x.tunnelId.localeCompare(y.tunnelId);
  });
  const batches: BatchTunnel[][] = [];
  let batch: BatchTunnel[] = [];
  let gateways = new Set<string>();
  for (const t of ordered) {
    const missing = [t.a, t.b].filter((g, i, all) => !gateways.has(g) && all.indexOf(g) === i).length;
    if (batch.length && gateways.size + missing > maxGateways) {
      batches.push(batch);
      batch = [];
      gateways = new Set();
    }
    batch.push(t);
    gateways.add(t.a).add(t.b);
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/** The end on the router with fewer of these tunnels ("a" on a tie). */
export function lighterEnd(t: BatchTunnel, load: ReadonlyMap<string, number>): EndRole {
  return (load.get(t.b) ?? 0) < (load.get(t.a) ?? 0) ? "b" : "a";
}

const commandKey = (c: Command) => c.argv.join("\u0000");

/**
 * The commands that apply one tunnel end (GatewayWork.applyEnd runs exactly these):
 * router-wide ones not yet in `ran` (which records them), and, when the peer is
 * configured after this end (`peerNext`), none that need the peer (initiating).
 */
export function endApplyCommands(
  platform: Platform,
  end: TunnelEnd,
  ran: Set<string>,
  peerNext: boolean,
  retire: Command[] = [],
): Command[] {
  const commands = [...retire, ...platform.applyCommands(end)].filter(
    (c) => !(c.scope === "router" && ran.has(commandKey(c))) && !(peerNext && c.needsPeer),
  );
  for (const c of commands) if (c.scope === "router") ran.add(commandKey(c));
  return commands;
}

/**
 * The commands that start one end's tunnel again: its apply's own initiating commands or,
 * where loading the files initiated, the platform's start. Used when an initiation found
 * its peer not yet configured.
 */
export function initiateAgainCommands(platform: Platform, end: TunnelEnd): Command[] {
  const initiating = platform.applyCommands(end).filter((c) => c.needsPeer);
  return initiating.length ? initiating : platform.keySwitch.start(end);
}
