// Parser for `swanctl --list-sas` text output (strongSwan 5.9): health checks read SA
// state and traffic counters from it, and PSK rotation compares IKE SPIs / established
// times before and after a reauth to prove the new key authenticated.
import type { ChildSa, IkeSa } from "../status";

const IKE_HEADER = /^(\S.*?): #(\d+), (\w+), IKEv([12]), ([0-9a-f]+)_i(\*?) ([0-9a-f]+)_r(\*?)\s*$/;
const ENDPOINT = /^\s+(local|remote)\s+'(.*)' @ (\S+)\[(\d+)\]/;
const CHILD_HEADER = /^\s+(\S+): #(\d+), (?:reqid (\d+), )?(\w+), (\w+?)(-in-UDP)?, (\w+):(\S+)/;
const TRAFFIC = /^\s+(in|out)\s+([0-9a-f]+)(?: \([^)]*\))?,\s+(\d+) bytes,\s+(\d+) packets(?:,\s+(\d+)s ago)?/;
const TS = /^\s+(local|remote)\s+(\d[\d./:a-f ]*\S)\s*$/;

/** "established 4s ago" style fragments → seconds, null when absent. */
function seconds(line: string, pattern: RegExp): number | null {
  const m = pattern.exec(line);
  return m ? Number(m[1]) : null;
}

function parseChildHeader(m: RegExpExecArray): ChildSa {
  return {
    name: m[1]!, uniqueId: Number(m[2]), reqid: m[3] ? Number(m[3]) : null, state: m[4]!,
    mode: m[5]!, udpEncapsulated: Boolean(m[6]), protocol: m[7]!, algorithms: m[8]!,
    installedSecondsAgo: null, rekeyInSeconds: null, expiresInSeconds: null,
    inbound: null, outbound: null, localTs: [], remoteTs: [],
  };
}

/** Unknown lines (queued/active task lists, future additions) are ignored on purpose. */
export function parseListSas(output: string): IkeSa[] {
  const sas: IkeSa[] = [];
  let ike: IkeSa | null = null;
  let child: ChildSa | null = null;
  for (const line of output.split("\n")) {
    const header = IKE_HEADER.exec(line);
    if (header) {
      ike = {
        name: header[1]!, uniqueId: Number(header[2]), state: header[3]!,
        version: header[4] === "1" ? 1 : 2, initiatorSpi: header[5]!, responderSpi: header[7]!,
        localIsInitiator: header[6] === "*",
        local: { id: "", address: "", port: 0 }, remote: { id: "", address: "", port: 0 },
        algorithms: null, establishedSecondsAgo: null, rekeyInSeconds: null, reauthInSeconds: null,
        children: [],
      };
      child = null;
      sas.push(ike);
      continue;
    }
    if (!ike) continue;
    const childHeader = CHILD_HEADER.exec(line);
    if (childHeader) {
      child = parseChildHeader(childHeader);
      ike.children.push(child);
      continue;
    }
    if (child) {
      const traffic = TRAFFIC.exec(line);
      if (traffic) {
        child[traffic[1] === "in" ? "inbound" : "outbound"] = {
          spi: traffic[2]!, bytes: Number(traffic[3]), packets: Number(traffic[4]),
          lastPacketSecondsAgo: traffic[5] ? Number(traffic[5]) : null,
        };
        continue;
      }
      const ts = TS.exec(line);
      if (ts) {
        child[ts[1] === "local" ? "localTs" : "remoteTs"] = ts[2]!.split(/\s+/);
        continue;
      }
      if (/^\s+installed /.test(line)) {
        child.installedSecondsAgo = seconds(line, /installed (\d+)s ago/);
        child.rekeyInSeconds = seconds(line, /rekeying in (\d+)s/);
        child.expiresInSeconds = seconds(line, /expires in (\d+)s/);
      }
      continue;
    }
    const endpoint = ENDPOINT.exec(line);
    if (endpoint) {
      ike[endpoint[1] === "local" ? "local" : "remote"] = { id: endpoint[2]!, address: endpoint[3]!, port: Number(endpoint[4]) };
    } else if (/^\s+established /.test(line)) {
      ike.establishedSecondsAgo = seconds(line, /established (\d+)s ago/);
      ike.rekeyInSeconds = seconds(line, /rekeying in (\d+)s/);
      ike.reauthInSeconds = seconds(line, /reauth in (\d+)s/);
    } else if (/^ {2}[A-Z0-9_]+[-/]/.test(line) && ike.algorithms === null) {
      ike.algorithms = line.trim();
    }
  }
  return sas;
}
