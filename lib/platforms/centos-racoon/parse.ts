// Readers for CentOS router output: the ifcfg/keys KEY=VALUE format (to read back what is
// deployed) and the status commands' output turned into a TunnelStatus, from the kernel's
// SAs as a real CentOS router shows them (setkey -D, or ip -s xfrm state).
import type { CommandResult, IkeSa, IpRoute, TunnelEnd, TunnelStatus } from "../contract";
import { describeSas } from "../shared/describe-sas";
import { findRouteTo, parseIpRouteList } from "../shared/parse-ip-route";
import { firstErrorLine, routesTextOf } from "../shared/status-text";
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
 * This tunnel's IKE SAs from the results of the given sources (in their order): a stand-in
 * built from the kernel's SAs; null when not listed.
 */
export function centosTunnelSasFrom(
  end: TunnelEnd,
  results: CommandResult[],
  sources: readonly CentosStatusSource[] = CENTOS_SA_LIST_SOURCES,
): IkeSa[] | null {
  const kernel = kernelListing(results, sources);
  return kernel && kernel.result.exitCode === 0 ? centosKernelTunnelSas(end, kernel.sas()) : null;
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
 * CENTOS_STATUS_SOURCES): the kernel's SAs (setkey -D or ip -s xfrm state) decide, ifup's
 * route only shows it ran (net-to-net). A router that cannot list them is not judged up.
 */
export function parseCentosStatus(
  end: TunnelEnd,
  results: CommandResult[],
  sources: readonly CentosStatusSource[] = CENTOS_STATUS_SOURCES,
): TunnelStatus {
  const routeResult = results[sources.indexOf("ip-route")];
  const kernel = kernelListing(results, sources);
  if (kernel) return parseKernelStatus(end, routeResult, kernel);
  const routes = tunnelRoutes(end, routeResult);
  return {
    state: routes.length ? "configured" : "down",
    reason: "the kernel's SAs were not listed (setkey -D or ip -s xfrm state)",
    routes,
    ikeSa: null,
    ikeSas: [],
    canListSas: false,
    saText: "(the kernel's SAs were not listed)",
    routesText: routesTextOf(routeResult),
    error: null,
  };
}
