// Reads the root namespace's IPv4 addresses, routes (all tables) and name servers,
// for the overlap check in overlap.ts. Read-only.
import { readFileSync } from "node:fs";
import { runChecked } from "./exec";
import { parseIpAddrJson, parseIpRouteJson, parseResolvConf, type HostNetwork } from "./overlap";

export async function readHostNetwork(): Promise<HostNetwork> {
  const [addrJson, routeJson] = await Promise.all([
    runChecked(["ip", "-j", "-4", "addr", "show"]),
    runChecked(["ip", "-j", "-4", "route", "show", "table", "all"]),
  ]);
  let resolv = "";
  try {
    resolv = readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    // No resolv.conf: no name servers to avoid.
  }
  return {
    addresses: parseIpAddrJson(addrJson),
    routes: parseIpRouteJson(routeJson),
    nameservers: parseResolvConf(resolv),
  };
}
