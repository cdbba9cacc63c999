// Readers for CentOS router output: the ifcfg/keys KEY=VALUE format (to read back what is
// deployed) and the status commands' output turned into a TunnelStatus.
import type { CommandResult, TunnelEnd, TunnelStatus } from "../contract";
import { findRouteTo, parseIpRouteList, type IpRoute } from "../shared/parse-ip-route";
import { parseListSas } from "../strongswan/parse-list-sas";

/**
 * Parses the subset of shell assignments initscripts files use: KEY=value or KEY="value",
 * comments and blank lines. Anything else is an error rather than a guess.
 */
export function parseIfcfg(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(?:"([^"$`\\]*)"|([^\s"'$`\\;#&|<>()]*))$/.exec(line);
    if (!m) throw new Error(`line ${index + 1} is not a plain KEY=VALUE assignment: ${JSON.stringify(line)}`);
    vars[m[1]!] = m[2] ?? m[3]!;
  }
  return vars;
}

/** The destination whose route proves ifup ran: DSTNET for net-to-net, the peer for host-to-host. */
function expectedDestinations(end: TunnelEnd): string[] {
  return end.kind === "net-to-net" ? [end.remote.subnets[0]!] : [`${end.remote.publicIp}/32`];
}

export function parseCentosStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus {
  const [routeResult, sasResult] = results;
  const all = routeResult && routeResult.exitCode === 0 ? parseIpRouteList(routeResult.stdout) : [];
  const routes = expectedDestinations(end)
    .map((cidr) => findRouteTo(all, cidr))
    .filter((r): r is IpRoute => r !== undefined);
  const sas = sasResult && sasResult.exitCode === 0 ? parseListSas(sasResult.stdout) : [];
  // The lab names its connection itself, so match the peer address rather than a name.
  const ikeSa = sas.find((sa) => sa.remote.address === end.remote.publicIp && sa.state === "ESTABLISHED")
    ?? sas.find((sa) => sa.remote.address === end.remote.publicIp) ?? null;
  const up = ikeSa?.children.some((c) => c.state === "INSTALLED") ?? false;
  // Host-to-host on real CentOS adds no route, so only SA info can show it up.
  const configured = end.kind === "net-to-net" && routes.length > 0;
  return { state: up ? "up" : configured ? "configured" : "down", routes, ikeSa };
}
