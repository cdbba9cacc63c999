// Readers for CentOS router output: the ifcfg/keys KEY=VALUE format (to read back what is
// deployed) and the status commands' output turned into a TunnelStatus.
import type { CommandResult, IkeSa, IpRoute, TunnelEnd, TunnelStatus } from "../contract";
import { describeSas } from "../shared/describe-sas";
import { findRouteTo, parseIpRouteList } from "../shared/parse-ip-route";
import { firstErrorLine, routesTextOf } from "../shared/status-text";
// The lab emulates racoon with charon: its SA listing is strongSwan's raw one.
import { parseListSasRaw } from "../strongswan/parse-list-sas-raw";

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

/** A real racoon router has no swanctl (exit 127, or no such command run). */
const cannotList = (result: CommandResult | undefined) => !result || result.exitCode === 127;

/** This tunnel's IKE SAs where the router can list them; the lab names its connection itself, so match the peer address. */
export function centosTunnelSas(end: TunnelEnd, result: CommandResult | undefined): IkeSa[] | null {
  if (!result || result.exitCode !== 0) return null;
  return parseListSasRaw(result.stdout).filter((sa) => sa.remote.address === end.remote.publicIp);
}

export function parseCentosStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus {
  const [routeResult, sasResult] = results;
  const all = routeResult && routeResult.exitCode === 0 ? parseIpRouteList(routeResult.stdout) : [];
  const routes = expectedDestinations(end)
    .map((cidr) => findRouteTo(all, cidr))
    .filter((r): r is IpRoute => r !== undefined);
  const mine = centosTunnelSas(end, sasResult) ?? [];
  const ikeSa = mine.find((sa) => sa.state === "ESTABLISHED") ?? mine[0] ?? null;
  const saUp = ikeSa?.children.some((c) => c.state === "INSTALLED") ?? false;
  // Host-to-host on real CentOS adds no route, so only SA info can show it up.
  const configured = end.kind === "net-to-net" && routes.length > 0;
  const canListSas = !cannotList(sasResult);
  const listFailed = canListSas && sasResult!.exitCode !== 0 ? firstErrorLine(sasResult!) : null;
  let state: TunnelStatus["state"];
  let reason: string;
  if (saUp) [state, reason] = ["up", "security association established"];
  // Where SAs cannot be listed, ifup's `ip route` entry is the article's own check.
  else if (configured && !canListSas) [state, reason] = ["up", "route to the remote network installed"];
  else if (configured) [state, reason] = ["configured", "route installed but no security association yet"];
  else [state, reason] = ["down", "no security association and no route"];
  if (listFailed) reason += ` (swanctl --list-sas failed: ${listFailed})`;
  const saText = !canListSas
    ? "(this router cannot list security associations)"
    : listFailed
      ? `(swanctl --list-sas failed: ${listFailed})`
      : describeSas(mine) || "(no security association for this tunnel)";
  return { state, reason, routes, ikeSa, ikeSas: mine, canListSas, saText, routesText: routesTextOf(routeResult), error: listFailed };
}
