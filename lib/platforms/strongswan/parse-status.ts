// Turns the outputs of strongswanStatusCommands() (`swanctl --list-sas --raw`,
// `ip -json route list table all`) into a TunnelStatus for one tunnel end.
import type { CommandResult, IkeSa, IpRoute, TunnelEnd, TunnelStatus } from "../contract";
import { describeSas } from "../shared/describe-sas";
import { findRouteTo } from "../shared/parse-ip-route";
import { parseIpRouteJson } from "../shared/parse-ip-route-json";
import { firstErrorLine, jsonRoutesTextOf } from "../shared/status-text";
import { parseListSasRaw } from "./parse-list-sas-raw";

/** This tunnel's IKE SAs (by connection name) from a `swanctl --list-sas --raw` result; null when the listing failed. */
export function tunnelSasFrom(end: TunnelEnd, result: CommandResult | undefined): IkeSa[] | null {
  if (!result || result.exitCode !== 0) return null;
  return parseListSasRaw(result.stdout).filter((sa) => sa.name === end.connectionName);
}

export function parseStrongswanStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus {
  const [sasResult, routeResult] = results;
  const mine = tunnelSasFrom(end, sasResult) ?? [];
  // During a reauth two IKE SAs exist; the established one with an installed child matters.
  const ikeSa = mine.find((sa) => sa.state === "ESTABLISHED" && sa.children.some((c) => c.state === "INSTALLED"))
    ?? mine.find((sa) => sa.state === "ESTABLISHED") ?? mine[0] ?? null;
  const all = routeResult && routeResult.exitCode === 0 ? parseIpRouteJson(routeResult.stdout) : [];
  const wanted = end.kind === "net-to-net" ? end.remote.subnets : [`${end.remote.publicIp}/32`];
  const routes = wanted.map((cidr) => findRouteTo(all, cidr)).filter((r): r is IpRoute => r !== undefined);
  const up = ikeSa?.children.some((c) => c.state === "INSTALLED" && c.name === end.connectionName) ?? false;
  const state = up ? "up" : routes.length === wanted.length ? "configured" : "down";
  const listFailed = sasResult && sasResult.exitCode !== 0 ? firstErrorLine(sasResult) : null;
  let reason = state === "up" ? "security association established" : state === "configured" ? "route installed but no security association yet" : "no security association and no route";
  if (listFailed) reason += ` (swanctl --list-sas failed: ${listFailed})`;
  const saText = !sasResult
    ? ""
    : sasResult.exitCode === 0
      ? describeSas(mine) || "(no security association for this tunnel)"
      : `(swanctl --list-sas failed: ${listFailed})`;
  return { state, reason, routes, ikeSa, ikeSas: mine, canListSas: true, saText, routesText: jsonRoutesTextOf(routeResult), error: listFailed };
}
