// Turns the outputs of strongswanStatusCommands() into a TunnelStatus for one tunnel end.
import type { CommandResult, IkeSa, IpRoute, TunnelEnd, TunnelStatus } from "../contract";
import { findRouteTo, parseIpRouteList } from "../shared/parse-ip-route";
import { firstErrorLine, routesTextOf } from "../shared/status-text";
import { parseListSas } from "./parse-list-sas";

/** The IKE SA blocks of a `swanctl --list-sas` listing that belong to this tunnel end. */
export function saBlocksFor(listing: string, end: TunnelEnd): string {
  const blocks: string[][] = [];
  for (const line of listing.split("\n")) {
    if (/^\S/.test(line)) blocks.push([line]);
    else if (blocks.length && line.trim()) blocks[blocks.length - 1]!.push(line);
  }
  const mine = blocks.filter(
    (b) => b[0]!.startsWith(`${end.connectionName}:`) || b.some((l) => new RegExp(`^\\s+remote .* @ ${end.remote.publicIp.replace(/\./g, "\\.")}\\[`).test(l)),
  );
  return mine.map((b) => b.join("\n")).join("\n");
}

/** This tunnel's IKE SAs from a `swanctl --list-sas` result; null when the listing failed. */
export function tunnelSasFrom(end: TunnelEnd, result: CommandResult | undefined): IkeSa[] | null {
  if (!result || result.exitCode !== 0) return null;
  return parseListSas(result.stdout).filter((sa) => sa.name === end.connectionName);
}

export function parseStrongswanStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus {
  const [sasResult, routeResult] = results;
  const mine = tunnelSasFrom(end, sasResult) ?? [];
  // During a reauth two IKE SAs exist; the established one with an installed child matters.
  const ikeSa = mine.find((sa) => sa.state === "ESTABLISHED" && sa.children.some((c) => c.state === "INSTALLED"))
    ?? mine.find((sa) => sa.state === "ESTABLISHED") ?? mine[0] ?? null;
  const all = routeResult && routeResult.exitCode === 0 ? parseIpRouteList(routeResult.stdout) : [];
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
      ? saBlocksFor(sasResult.stdout, end) || "(no security association for this tunnel)"
      : `(swanctl --list-sas failed: ${listFailed})`;
  return { state, reason, routes, ikeSa, ikeSas: mine, canListSas: true, saText, routesText: routesTextOf(routeResult), error: listFailed };
}
