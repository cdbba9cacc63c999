// The readable text of a tunnel's SAs for the health panel, built from the parsed neutral
// SAs: routers that answer in a machine format (vici's raw dump) print nothing a person
// would read, so this is what people see instead of the router's own words.
import type { ChildSa, ChildSaTraffic, IkeSa, SaEndpoint } from "../status";

const ago = (s: number | null) => (s === null ? null : `${s}s ago`);
const join = (parts: (string | null | false)[]) => parts.filter(Boolean).join(", ");

function endpoint(label: string, e: SaEndpoint): string {
  return `  ${label} ${e.address}${e.port ? `:${e.port}` : ""}${e.id && e.id !== e.address ? ` (id ${e.id})` : ""}`;
}

function trafficLine(dir: "in " | "out", t: ChildSaTraffic | null): string | null {
  if (!t) return null;
  const last = t.lastPacketSecondsAgo === null ? "" : `, last packet ${t.lastPacketSecondsAgo}s ago`;
  return `    ${dir} SPI ${t.spi}: ${t.bytes} bytes, ${t.packets} packets${last}`;
}

function describeChild(c: ChildSa): string[] {
  const mode = `${c.mode}${c.udpEncapsulated ? " in UDP" : ""}`;
  return [
    `  ${c.name} #${c.uniqueId}: ${join([c.state, mode, c.algorithms ? `${c.protocol} ${c.algorithms}` : c.protocol, c.installedSecondsAgo !== null && `installed ${ago(c.installedSecondsAgo)}`])}`,
    trafficLine("in ", c.inbound),
    trafficLine("out", c.outbound),
    `    ${c.localTs.join(" ") || "?"} === ${c.remoteTs.join(" ") || "?"}`,
  ].filter((l): l is string => l !== null);
}

function describeIkeSa(sa: IkeSa): string[] {
  const who = sa.localIsInitiator ? "initiated here" : "initiated by the peer";
  return [
    `${sa.name} #${sa.uniqueId}: ${sa.state}, IKEv${sa.version}, SPIs ${sa.initiatorSpi}_i ${sa.responderSpi}_r (${who})`,
    endpoint("local ", sa.local),
    endpoint("remote", sa.remote),
    `  ${join([sa.algorithms, sa.establishedSecondsAgo !== null && `established ${ago(sa.establishedSecondsAgo)}`, sa.rekeyInSeconds !== null && `rekeying in ${sa.rekeyInSeconds}s`, sa.reauthInSeconds !== null && `reauthentication in ${sa.reauthInSeconds}s`]) || "not established yet"}`,
    ...sa.children.flatMap(describeChild),
  ];
}

/** One block per IKE SA, its CHILD SAs indented below it; "" when there is none. */
export function describeSas(sas: readonly IkeSa[]): string {
  return sas.map((sa) => describeIkeSa(sa).join("\n")).join("\n");
}
