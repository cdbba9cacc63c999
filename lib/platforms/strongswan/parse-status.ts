// Turns the outputs of strongswanStatusCommands() (`swanctl --list-sas --raw`,
// `ip -json route list table all`, and on kernel-IPsec routers `ip -s xfrm state`) into a
// TunnelStatus for one tunnel end.
import type { CommandResult, IkeSa, IpRoute, TunnelEnd, TunnelStatus } from "../contract";
import { describeSas } from "../shared/describe-sas";
import { findRouteTo } from "../shared/parse-ip-route";
import { parseIpRouteJson } from "../shared/parse-ip-route-json";
import { firstErrorLine, jsonRoutesTextOf } from "../shared/status-text";
import { parseXfrmStates } from "../shared/parse-xfrm-state";
import { parseListSasRaw } from "./parse-list-sas-raw";

/** This tunnel's IKE SAs (by connection name) from a `swanctl --list-sas --raw` result; null when the listing failed. */
export function tunnelSasFrom(end: TunnelEnd, result: CommandResult | undefined): IkeSa[] | null {
  if (!result || result.exitCode !== 0) return null;
  return parseListSasRaw(result.stdout).filter((sa) => sa.name === end.connectionName);
}

/**
 * On a kernel-IPsec router an installed CHILD SA must be in the kernel too (both its
 * SPIs): charon's word alone is not enough (a flushed SAD, a daemon out of step).
 * Returns why not, or null when it is there (or the kernel listing is not available).
 */
function missingFromKernel(
  child: { inbound: { spi: string } | null; outbound: { spi: string } | null },
  xfrm: CommandResult | undefined,
): string | null {
  if (!xfrm || xfrm.exitCode !== 0) return null;
  const spis = new Set(parseXfrmStates(xfrm.stdout).map((s) => s.spi.toLowerCase().padStart(8, "0")));
  const want = [child.inbound?.spi, child.outbound?.spi].filter((s): s is string => !!s).map((s) => s.toLowerCase().padStart(8, "0"));
  const missing = want.filter((s) => !spis.has(s));
  return missing.length ? `charon reports an installed CHILD SA, but the kernel holds no SA with SPI ${missing.join(" or ")}` : null;
}

export function parseStrongswanStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus {
  const [sasResult, routeResult, xfrmResult] = results;
  const mine = tunnelSasFrom(end, sasResult) ?? [];
  // During a reauth two IKE SAs exist; the established one with an installed child matters.
  const ikeSa =
    mine.find((sa) => sa.state === "ESTABLISHED" && sa.children.some((c) => c.state === "INSTALLED")) ??
    mine.find((sa) => sa.state === "ESTABLISHED") ??
    mine[0] ??
    null;
  const all = routeResult && routeResult.exitCode === 0 ? parseIpRouteJson(routeResult.stdout) : [];
  const wanted = end.kind === "net-to-net" ? end.remote.subnets : [`${end.remote.publicIp}/32`];
  const routes = wanted.map((cidr) => findRouteTo(all, cidr)).filter((r): r is IpRoute => r !== undefined);
  const child = ikeSa?.children.find((c) => c.state === "INSTALLED" && c.name === end.connectionName) ?? null;
  const notInKernel = child ? missingFromKernel(child, xfrmResult) : null;
  const up = child !== null && notInKernel === null;
  const state = up ? "up" : routes.length === wanted.length || notInKernel ? "configured" : "down";
  const listFailed = sasResult && sasResult.exitCode !== 0 ? firstErrorLine(sasResult) : null;
  let reason =
    notInKernel ??
    (state === "up"
      ? "security association established"
      : state === "configured"
        ? "route installed but no security association yet"
        : "no security association and no route");
  if (listFailed) reason += ` (swanctl --list-sas failed: ${listFailed})`;
  const saText = !sasResult
    ? ""
    : sasResult.exitCode === 0
      ? describeSas(mine) || "(no security association for this tunnel)"
      : `(swanctl --list-sas failed: ${listFailed})`;
  return {
    state,
    reason,
    routes,
    ikeSa,
    ikeSas: mine,
    canListSas: true,
    saText,
    routesText: jsonRoutesTextOf(routeResult),
    error: listFailed,
  };
}
