// Readers for CentOS router output: the ifcfg/keys KEY=VALUE format (to read back what is
// deployed) and the status commands' output turned into a TunnelStatus: from the lab's
// swanctl listing, or from the kernel's SAs as a real CentOS router shows them.
import type { CommandResult, IkeSa, IpRoute, TunnelEnd, TunnelStatus } from "../contract";
import { describeSas } from "../shared/describe-sas";
import { findRouteTo, parseIpRouteList } from "../shared/parse-ip-route";
import { firstErrorLine, routesTextOf } from "../shared/status-text";
// The lab emulates racoon with charon: its SA listing is strongSwan's raw one.
import { parseListSasRaw } from "../strongswan/parse-list-sas-raw";
import { CENTOS_SA_LIST_SOURCES, CENTOS_STATUS_SOURCES, type CentosStatusSource } from "./commands";
import { centosKernelTunnelSas, expectedMode, parseXfrmWithAddTimes, type KernelSa } from "./kernel-sas";
import { parseSetkeyDump } from "./parse-setkey-dump";

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

/** The kernel's SAs from whichever listing the sources hold, setkey first (it tells each SA's age). */
function kernelListing(
  results: CommandResult[],
  sources: readonly CentosStatusSource[],
): { name: string; result: CommandResult; sas: () => KernelSa[] } | null {
  const setkey = results[sources.indexOf("setkey-sad")];
  if (sources.includes("setkey-sad") && setkey) return { name: "setkey -D", result: setkey, sas: () => parseSetkeyDump(setkey.stdout) };
  const xfrm = results[sources.indexOf("xfrm-state")];
  if (sources.includes("xfrm-state") && xfrm)
    return { name: "ip -s xfrm state", result: xfrm, sas: () => parseXfrmWithAddTimes(xfrm.stdout) };
  return null;
}

/**
 * This tunnel's IKE SAs from the results of the given sources (in their order): the lab's
 * swanctl listing, or a stand-in built from the kernel's SAs; null when not listed.
 */
export function centosTunnelSasFrom(
  end: TunnelEnd,
  results: CommandResult[],
  sources: readonly CentosStatusSource[] = CENTOS_SA_LIST_SOURCES,
): IkeSa[] | null {
  const kernel = kernelListing(results, sources);
  if (kernel) return kernel.result.exitCode === 0 ? centosKernelTunnelSas(end, kernel.sas()) : null;
  return centosTunnelSas(end, results[sources.indexOf("swanctl-sas")]);
}

/** Routes to what the tunnel reaches, from the ip-route result. */
function tunnelRoutes(end: TunnelEnd, routeResult: CommandResult | undefined): IpRoute[] {
  const all = routeResult && routeResult.exitCode === 0 ? parseIpRouteList(routeResult.stdout) : [];
  return expectedDestinations(end)
    .map((cidr) => findRouteTo(all, cidr))
    .filter((r): r is IpRoute => r !== undefined);
}

/** A real CentOS router: the kernel's SAs decide, the route only shows ifup ran (net-to-net). */
function parseKernelStatus(
  end: TunnelEnd,
  routeResult: CommandResult | undefined,
  kernel: NonNullable<ReturnType<typeof kernelListing>>,
): TunnelStatus {
  const routes = tunnelRoutes(end, routeResult);
  const error = kernel.result.exitCode === 0 ? null : firstErrorLine(kernel.result);
  const sas = error === null ? kernel.sas() : [];
  const mine = error === null ? centosKernelTunnelSas(end, sas) : [];
  const ikeSa = mine[0] ?? null;
  const want = expectedMode(end);
  const pairs = ikeSa?.children.filter((c) => c.inbound && c.outbound) ?? [];
  const larval = sas.some((s) => s.state === "larval" && [s.source, s.destination].includes(end.remote.publicIp));
  let state: TunnelStatus["state"];
  let reason: string;
  if (ikeSa?.state === "ESTABLISHED")
    [state, reason] = ["up", `ESP security associations installed in the kernel (${want} mode, in and out)`];
  else if (pairs.length)
    [state, reason] = [
      "configured",
      `kernel SAs in ${pairs[0]!.mode.toLowerCase()} mode, but ifup's policies for this ${end.kind} tunnel ask for ${want} mode: traffic does not use them`,
    ];
  else if (ikeSa)
    [state, reason] = [
      "configured",
      `only an ${ikeSa.children[0]!.inbound ? "inbound" : "outbound"} SA in the kernel: negotiating, or the other half was deleted`,
    ];
  else if (larval) [state, reason] = ["configured", "negotiating: an SPI is reserved, no SA installed yet"];
  else if (end.kind === "net-to-net" && routes.length > 0)
    [state, reason] = ["configured", "route installed but no security association yet"];
  else [state, reason] = ["down", end.kind === "net-to-net" ? "no security association and no route" : "no security association"];
  if (error !== null) reason += ` (${kernel.name} failed: ${error})`;
  const saText = error !== null ? `(${kernel.name} failed: ${error})` : describeSas(mine) || "(no security association for this tunnel)";
  return { state, reason, routes, ikeSa, ikeSas: mine, canListSas: true, saText, routesText: routesTextOf(routeResult), error };
}

/**
 * `results` are the outputs of `sources` in order (centosStatusCommands() runs
 * CENTOS_STATUS_SOURCES). With a kernel listing (setkey -D or ip -s xfrm state) the
 * kernel's SAs decide; otherwise the lab's swanctl listing and ifup's route do.
 */
export function parseCentosStatus(
  end: TunnelEnd,
  results: CommandResult[],
  sources: readonly CentosStatusSource[] = CENTOS_STATUS_SOURCES,
): TunnelStatus {
  const routeResult = results[sources.indexOf("ip-route")];
  const kernel = kernelListing(results, sources);
  if (kernel) return parseKernelStatus(end, routeResult, kernel);
  const sasResult = sources.includes("swanctl-sas") ? results[sources.indexOf("swanctl-sas")] : undefined;
  const routes = tunnelRoutes(end, routeResult);
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
