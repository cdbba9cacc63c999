// Small pieces every platform's status parser needs: the first line of a failed
// command's error, and the routes part of a status shown to people (from text or JSON).
import type { CommandResult } from "../contract";
import { interestingRoutes } from "./parse-ip-route";
import { parseIpRouteJson, readableRoutes } from "./parse-ip-route-json";

/** The first line a failed command printed (stderr first), or its exit code. */
export function firstErrorLine(result: CommandResult): string {
  return (result.stderr ?? "").trim().split("\n")[0] || result.stdout.trim().split("\n")[0] || `exit ${result.exitCode}`;
}

/** The readable routes of an `ip route list table all` result, or why there are none. */
export function routesTextOf(result: CommandResult | undefined): string {
  if (!result) return "";
  return result.exitCode === 0 ? interestingRoutes(result.stdout) : `(ip route failed: ${firstErrorLine(result)})`;
}

/** The readable routes of an `ip -json route list table all` result, or why there are none. */
export function jsonRoutesTextOf(result: CommandResult | undefined): string {
  if (!result) return "";
  return result.exitCode === 0 ? readableRoutes(parseIpRouteJson(result.stdout)) : `(ip route failed: ${firstErrorLine(result)})`;
}
