// Turns the outputs of libreswanStatusCommands() (showstates, trafficstatus, xfrm state,
// routes) into the neutral TunnelStatus, and the first three into this tunnel's IKE SAs.
import type { ChildSa, ChildSaTraffic, CommandResult, IkeSa, IpRoute, TunnelEnd, TunnelStatus } from "../contract";
import { findRouteTo, parseIpRouteList } from "../shared/parse-ip-route";
import { firstErrorLine, routesTextOf } from "../shared/status-text";
import { parseShowStates, parseTrafficStatus, type Said, type TrafficEntry, type WhackChildDetail, type WhackState } from "./parse-whack";
import { parseXfrmStates, type XfrmState } from "../shared/parse-xfrm-state";

const ESTABLISHED_IKE = new Set(["STATE_V2_ESTABLISHED_IKE_SA", "STATE_MAIN_I4", "STATE_MAIN_R3", "STATE_AGGR_I2", "STATE_AGGR_R2"]);
const ESTABLISHED_CHILD = new Set(["STATE_V2_ESTABLISHED_CHILD_SA", "STATE_QUICK_I2", "STATE_QUICK_R2"]);
const IKE_STATE = /^STATE_(MAIN_|AGGR_|V2_PARENT_|V2_ESTABLISHED_IKE_SA|V2_REKEY_IKE_|V2_IKE_SA_DELETE|XAUTH_|MODE_CFG_)/;

/** pluto's state name in the neutral words callers compare (ESTABLISHED, INSTALLED, …). */
function neutralState(name: string, ike: boolean): string {
  if (ESTABLISHED_IKE.has(name)) return "ESTABLISHED";
  if (ESTABLISHED_CHILD.has(name)) return "INSTALLED";
  if (/_DELETE$/.test(name)) return "DELETING";
  if (/^STATE_V2_REKEY_/.test(name)) return "REKEYING";
  return ike ? "CONNECTING" : "INSTALLING";
}

type Outputs = { states: WhackState[]; details: Map<number, WhackChildDetail>; traffic: Map<number, TrafficEntry>; xfrm: XfrmState[] };

const ok = (r: CommandResult | undefined) => r !== undefined && r.exitCode === 0;

function readOutputs(end: TunnelEnd, [states, traffic, xfrm]: CommandResult[]): Outputs | null {
  if (!ok(states)) return null;
  const parsed = parseShowStates(states!.stdout);
  const mine = <T extends { connection: string }>(items: T[]) => items.filter((i) => i.connection === end.connectionName);
  return {
    states: mine(parsed.states),
    details: new Map(mine(parsed.details).map((d) => [d.serial, d])),
    traffic: new Map(ok(traffic) ? mine(parseTrafficStatus(traffic!.stdout)).map((t) => [t.serial, t]) : []),
    xfrm: ok(xfrm) ? parseXfrmStates(xfrm!.stdout) : [],
  };
}

/** What the configuration asks for: Libreswan installs exactly these selectors. */
function selectors(end: TunnelEnd) {
  return end.kind === "net-to-net"
    ? { localTs: end.local.subnets, remoteTs: end.remote.subnets }
    : { localTs: [`${end.local.publicIp}/32`], remoteTs: [`${end.remote.publicIp}/32`] };
}

function traffic(spi: string | undefined, to: string, kernel: XfrmState[], bytes: number | null): ChildSaTraffic | null {
  if (!spi) return null;
  const k = kernel.find((x) => x.spi === spi && x.destination === to);
  // Counters the kernel does not show are unknown; 0 keeps the type, the SPI is what matters.
  return { spi, bytes: k?.bytes ?? bytes ?? 0, packets: k?.packets ?? 0, lastPacketSecondsAgo: null };
}

/**
 * pluto's SAIDs first: a tun.0 pair means tunnel mode for the whole bundle (with IPComp
 * the kernel's ESP SA is in transport mode inside it); then the kernel; then the config.
 */
function childMode(end: TunnelEnd, saids: Said[], kernel: XfrmState | undefined): string {
  if (saids.length) return saids.some((x) => x.protocol === "tun") ? "TUNNEL" : "TRANSPORT";
  if (kernel) return kernel.mode.toUpperCase();
  return end.kind === "net-to-net" ? "TUNNEL" : "TRANSPORT";
}

function toChild(end: TunnelEnd, s: WhackState, out: Outputs): ChildSa {
  const detail = out.details.get(s.serial);
  const saids = detail?.saids ?? [];
  const esp = saids.filter((x) => x.protocol === "esp" || x.protocol === "ah");
  const outSpi = esp.find((x) => x.address === end.remote.publicIp)?.spi;
  const inSpi = esp.find((x) => x.address === end.local.publicIp)?.spi;
  const kernelIn = out.xfrm.find((x) => x.spi === inSpi && x.destination === end.local.publicIp);
  const counted = out.traffic.get(s.serial);
  const v2 = s.name.startsWith("STATE_V2_");
  return {
    name: s.connection,
    uniqueId: s.serial,
    reqid: kernelIn?.reqid ?? null,
    state: neutralState(s.name, false),
    mode: childMode(end, saids, kernelIn),
    udpEncapsulated: kernelIn ? kernelIn.encapsulation !== null : s.remotePort === 4500,
    protocol: (esp[0]?.protocol ?? "esp").toUpperCase(),
    algorithms: kernelIn ? kernelIn.algorithms.join("/") : "",
    installedSecondsAgo: null,
    // IKEv2 rekeys a CHILD SA at REKEY and drops it at REPLACE; IKEv1 replaces it at REPLACE.
    rekeyInSeconds: (v2 ? s.events.REKEY : (s.events.REPLACE ?? s.events.REPLACE_IF_USED)) ?? null,
    expiresInSeconds: (v2 ? (s.events.REPLACE ?? s.events.EXPIRE) : s.events.EXPIRE) ?? null,
    inbound: traffic(inSpi, end.local.publicIp, out.xfrm, counted?.inBytes ?? null),
    outbound: traffic(outSpi, end.remote.publicIp, out.xfrm, counted?.outBytes ?? null),
    ...selectors(end),
  };
}

/**
 * Libreswan prints no IKE SPIs. Both ends do print the ESP SPIs of the newest installed
 * CHILD SA (each seeing the other's in/out), so that pair, lower first, stands in for the
 * IKE SA's SPIs: the same on both routers, new with every negotiated IKE SA. An IKE SA
 * rekey (CREATE_CHILD_SA) moves the CHILD SAs to the new IKE SA as they are, so the
 * rekeyed SA keeps the old stand-ins (recorded: __recorded__/rekey-in-progress), as it
 * keeps the old authentication: no proof of a new key (status.ts, IkeSa).
 */
function standInSpis(children: ChildSa[]): [string, string] {
  const newest = children.filter((c) => c.state === "INSTALLED" && c.inbound && c.outbound).sort((a, b) => b.uniqueId - a.uniqueId)[0];
  if (!newest) return ["", ""];
  const pair = [newest.inbound!.spi, newest.outbound!.spi].sort();
  return [pair[0]!, pair[1]!];
}

function toIkeSa(end: TunnelEnd, s: WhackState, children: ChildSa[], out: Outputs, superseded: boolean): IkeSa {
  const v2 = s.name.startsWith("STATE_V2_");
  const state = superseded ? "REKEYED" : neutralState(s.name, true);
  const [initiatorSpi, responderSpi] = standInSpis(children);
  const remoteId = children.map((c) => out.traffic.get(c.uniqueId)?.remoteId).find((id) => id) ?? end.remote.publicIp;
  const port = s.remotePort ?? 500;
  return {
    name: s.connection,
    uniqueId: s.serial,
    state,
    version: v2 ? 2 : 1,
    initiatorSpi,
    responderSpi,
    // IKEv1 states say who initiated (MAIN_I4 / MAIN_R3); IKEv2's established state does not.
    localIsInitiator: /^STATE_(MAIN|AGGR)_I/.test(s.name),
    // pluto prints only the peer's port; NAT traversal moves both ends to 4500 together.
    local: { id: end.local.publicIp, address: end.local.publicIp, port },
    remote: { id: remoteId, address: end.remote.publicIp, port },
    algorithms: null,
    // pluto prints no age. ikelifetime minus REPLACE-in would be one only while the router's
    // conn carries the profile's lifetime, and a wrong age would fail a rotation's proof.
    establishedSecondsAgo: null,
    rekeyInSeconds: (v2 ? s.events.REKEY : s.events.REPLACE) ?? null,
    reauthInSeconds: s.events.REAUTH ?? null,
    children,
  };
}

function tunnelSas(end: TunnelEnd, out: Outputs): IkeSa[] {
  const ikes = out.states.filter((s) => IKE_STATE.test(s.name));
  const children = out.states.filter((s) => !IKE_STATE.test(s.name)).map((s) => ({ s, child: toChild(end, s, out) }));
  const newestIke = ikes.reduce<WhackState | undefined>((a, b) => (!a || b.serial > a.serial ? b : a), undefined);
  // A CHILD SA still negotiating names no parent: it belongs to the newest IKE SA.
  const parentOf = (s: WhackState) => s.parentSerial ?? newestIke?.serial;
  // After a rekey pluto still lists the replaced IKE SA, established but no longer the
  // connection's "newest" (that is the new one) and due to EXPIRE: not the tunnel's SA.
  const superseded = (s: WhackState) =>
    !s.newest && ESTABLISHED_IKE.has(s.name) && ikes.some((o) => o.newest && ESTABLISHED_IKE.has(o.name));
  return ikes.map((ike) =>
    toIkeSa(
      end,
      ike,
      children.filter((c) => parentOf(c.s) === ike.serial).map((c) => c.child),
      out,
      superseded(ike),
    ),
  );
}

/** This tunnel's IKE SAs from libreswanSaListCommands()' outputs; null when pluto could not be asked. */
export function libreswanTunnelSas(end: TunnelEnd, results: CommandResult[]): IkeSa[] | null {
  const out = readOutputs(end, results);
  return out ? tunnelSas(end, out) : null;
}

/** pluto's own lines about this tunnel: each state with its SPI line, then the traffic counters. */
function readableLines(out: Outputs): string[] {
  const states = out.states.flatMap((s) => [s.line, ...(out.details.has(s.serial) ? [out.details.get(s.serial)!.line] : [])]);
  return [...states, ...[...out.traffic.values()].map((t) => t.line)];
}

const COMMANDS = ["ipsec whack --showstates", "ipsec whack --trafficstatus", "ip -s xfrm state"];

export function parseLibreswanStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus {
  const [statesResult, , , routeResult] = results;
  const out = readOutputs(end, results);
  const sas = out ? tunnelSas(end, out) : [];
  const installed = (sa: IkeSa) => sa.children.some((c) => c.state === "INSTALLED");
  const ikeSa =
    sas.find((sa) => sa.state === "ESTABLISHED" && installed(sa)) ??
    sas.find((sa) => sa.state === "ESTABLISHED") ??
    sas[sas.length - 1] ??
    null;
  const all = ok(routeResult) ? parseIpRouteList(routeResult!.stdout) : [];
  const wanted = end.kind === "net-to-net" ? end.remote.subnets : [`${end.remote.publicIp}/32`];
  const routes = wanted.map((cidr) => findRouteTo(all, cidr)).filter((r): r is IpRoute => r !== undefined);
  const negotiating = out?.states.find((s) => ["CONNECTING", "INSTALLING"].includes(neutralState(s.name, IKE_STATE.test(s.name))));
  const failed = results.slice(0, 3).findIndex((r) => r !== undefined && r.exitCode !== 0);
  const error = failed < 0 ? null : firstErrorLine(results[failed]!);

  let state: TunnelStatus["state"];
  let reason: string;
  // An IKEv1 IPsec SA can outlive its ISAKMP SA: the installed CHILD SA is what carries traffic.
  if (out?.states.some((st) => ESTABLISHED_CHILD.has(st.name))) [state, reason] = ["up", "security association established"];
  else if (negotiating) [state, reason] = ["configured", `negotiating: #${negotiating.serial} ${negotiating.name} (${negotiating.story})`];
  else if (end.kind === "net-to-net" && routes.length === wanted.length)
    [state, reason] = ["configured", "route installed but no security association yet"];
  else [state, reason] = ["down", end.kind === "net-to-net" ? "no security association and no route" : "no security association"];
  if (error !== null) reason += ` (${COMMANDS[failed]} failed: ${error})`;

  const saText = !statesResult
    ? ""
    : !out
      ? `(ipsec whack --showstates failed: ${firstErrorLine(statesResult)})`
      : readableLines(out).join("\n") || "(no security association for this tunnel)";
  return { state, reason, routes, ikeSa, ikeSas: sas, canListSas: true, saText, routesText: routesTextOf(routeResult), error };
}
