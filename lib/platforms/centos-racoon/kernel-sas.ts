// A CentOS tunnel's SAs as the kernel holds them (`setkey -D` or `ip -s xfrm state`):
// the proof a real racoon router can give, whatever negotiated them. racoon lists no IKE
// SA here, so one stand-in IKE SA carries the ESP SA pairs, and its "SPIs" are the ESP
// SPIs of the newest pair, lower first — equal on both routers, new after every
// negotiation (status.ts, IkeSa), as Libreswan's parser does.
import type { ChildSa, IkeSa, TunnelEnd } from "../contract";
import { parseXfrmStates, type XfrmState } from "../shared/parse-xfrm-state";

export interface KernelSa extends XfrmState {
  /** setkey's state (larval, mature, dying); undefined from ip xfrm, which lists usable SAs only. */
  state?: string;
  /** Seconds since the SA was added (setkey's `diff:`). */
  ageSeconds?: number | null;
  /** When the SA was added, router-local "YYYY-MM-DD HH:MM:SS" (ip -s xfrm's `add`); sorts as time. */
  addedAt?: string | null;
}

const BLOCK_ID = /^\s+proto (\S+) spi 0x([0-9a-f]+)/m;
const ADDED = /^\s+add (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) /m;

/** `ip -s xfrm state` with each SA's add time, which the shared parser does not keep. */
export function parseXfrmWithAddTimes(output: string): KernelSa[] {
  const added = new Map<string, string>();
  for (const block of output.split(/^(?=src )/m)) {
    const head = /^src (\S+) dst (\S+)/.exec(block);
    const id = BLOCK_ID.exec(block);
    const at = ADDED.exec(block);
    if (head && id && at) added.set(`${head[1]} ${head[2]} ${id[1]} ${id[2]!.padStart(8, "0")}`, at[1]!);
  }
  return parseXfrmStates(output).map((s) => ({ ...s, addedAt: added.get(`${s.source} ${s.destination} ${s.protocol} ${s.spi}`) ?? null }));
}

/** Newest first when the listing says how old each SA is; null when it cannot be told. */
function newestFirst(sas: KernelSa[]): KernelSa[] | null {
  if (sas.length <= 1) return sas;
  if (sas.every((s) => typeof s.ageSeconds === "number")) return [...sas].sort((a, b) => a.ageSeconds! - b.ageSeconds!);
  if (sas.every((s) => s.addedAt)) return [...sas].sort((a, b) => (a.addedAt! < b.addedAt! ? 1 : a.addedAt! > b.addedAt! ? -1 : 0));
  return null;
}

/** What ifup installs: transport mode for host-to-host, tunnel mode otherwise (ifup-ipsec:71-92). */
export const expectedMode = (end: TunnelEnd) => (end.kind === "net-to-net" ? "tunnel" : "transport");

function child(end: TunnelEnd, index: number, inbound: KernelSa | undefined, outbound: KernelSa | undefined): ChildSa {
  const any = (inbound ?? outbound)!;
  const traffic = (sa: KernelSa | undefined) =>
    sa ? { spi: sa.spi, bytes: sa.bytes ?? 0, packets: sa.packets ?? 0, lastPacketSecondsAgo: null } : null;
  const ts =
    end.kind === "net-to-net"
      ? { localTs: end.local.subnets, remoteTs: end.remote.subnets }
      : { localTs: [`${end.local.publicIp}/32`], remoteTs: [`${end.remote.publicIp}/32`] };
  return {
    name: end.interfaceName,
    uniqueId: index + 1,
    reqid: any.reqid,
    // A dying SA passed its soft lifetime: racoon negotiates its successor, it still carries traffic.
    state: any.state === "dying" ? "REKEYED" : "INSTALLED",
    mode: any.mode.toUpperCase(),
    udpEncapsulated: any.encapsulation !== null,
    protocol: any.protocol.toUpperCase(),
    algorithms: any.algorithms.join("/"),
    installedSecondsAgo: typeof any.ageSeconds === "number" ? any.ageSeconds : null,
    rekeyInSeconds: null,
    expiresInSeconds: null,
    inbound: traffic(inbound),
    outbound: traffic(outbound),
    ...ts,
  };
}

/**
 * This tunnel's ESP SAs between the two public addresses, paired in/out newest first, under
 * one stand-in IKE SA; [] when there is none. Larval SAs (an SPI reserved while
 * negotiating) are not SAs yet. ESTABLISHED only with a pair in the mode ifup's policies
 * ask for: an SA in another mode carries nothing for them.
 */
export function centosKernelTunnelSas(end: TunnelEnd, sas: KernelSa[]): IkeSa[] {
  const { publicIp: local } = end.local;
  const { publicIp: remote } = end.remote;
  const usable = sas.filter((s) => s.protocol === "esp" && s.state !== "larval" && s.state !== "dead");
  const inbound = usable.filter((s) => s.source === remote && s.destination === local);
  const outbound = usable.filter((s) => s.source === local && s.destination === remote);
  if (!inbound.length && !outbound.length) return [];
  const [ins, outs] = [newestFirst(inbound), newestFirst(outbound)];
  const children = Array.from({ length: Math.max(inbound.length, outbound.length) }, (_, i) =>
    child(end, i, (ins ?? inbound)[i], (outs ?? outbound)[i]),
  );
  const newest = children[0]!;
  const paired = (c: ChildSa) => c.inbound !== null && c.outbound !== null && c.mode === expectedMode(end).toUpperCase();
  // Without ages the newest pair is unknown when there are several: no stand-in then, so a
  // key-switch proof cannot mistake an old pair for a new one.
  const ordered = (ins !== null && outs !== null) || children.length === 1;
  const spis = ordered && newest.inbound && newest.outbound ? [newest.inbound.spi, newest.outbound.spi].sort() : ["", ""];
  const udp = children.some((c) => c.udpEncapsulated);
  return [
    {
      name: end.interfaceName,
      // The kernel numbers no negotiation: the newest pair's lower SPI stands in, so a key
      // switch's new pair is a new "IKE SA" to the proof too (key-switch.ts, findNewIkeSa).
      uniqueId: spis[0] ? parseInt(spis[0], 16) : 0,
      state: children.some(paired) ? "ESTABLISHED" : "CONNECTING",
      version: 1,
      initiatorSpi: spis[0]!,
      responderSpi: spis[1]!,
      // The kernel does not say which end initiated.
      localIsInitiator: false,
      local: { id: local, address: local, port: udp ? 4500 : 500 },
      remote: { id: remote, address: remote, port: udp ? 4500 : 500 },
      algorithms: null,
      // The newest pair's age (setkey's diff:): the proof also checks it is not older than the switch.
      establishedSecondsAgo: spis[0] ? newest.installedSecondsAgo : null,
      rekeyInSeconds: null,
      reauthInSeconds: null,
      children,
    },
  ];
}
