// Turns the outputs of strongswanStatusCommands() into a TunnelStatus for one tunnel end.
import type { CommandResult, TunnelEnd, TunnelStatus } from "../contract";
import { findRouteTo, parseIpRouteList, type IpRoute } from "../shared/parse-ip-route";
import { parseListSas } from "./parse-list-sas";

export function parseStrongswanStatus(end: TunnelEnd, results: CommandResult[]): TunnelStatus {
  const [sasResult, routeResult] = results;
  const sas = sasResult && sasResult.exitCode === 0 ? parseListSas(sasResult.stdout) : [];
  const mine = sas.filter((sa) => sa.name === end.connectionName);
  // During a reauth two IKE SAs exist; the established one with an installed child matters.
  const ikeSa = mine.find((sa) => sa.state === "ESTABLISHED" && sa.children.some((c) => c.state === "INSTALLED"))
    ?? mine.find((sa) => sa.state === "ESTABLISHED") ?? mine[0] ?? null;
  const all = routeResult && routeResult.exitCode === 0 ? parseIpRouteList(routeResult.stdout) : [];
  const wanted = end.kind === "net-to-net" ? end.remote.subnets : [`${end.remote.publicIp}/32`];
  const routes = wanted.map((cidr) => findRouteTo(all, cidr)).filter((r): r is IpRoute => r !== undefined);
  const up = ikeSa?.children.some((c) => c.state === "INSTALLED" && c.name === end.connectionName) ?? false;
  return { state: up ? "up" : routes.length === wanted.length ? "configured" : "down", routes, ikeSa };
}
