// Proving a tunnel end works: the platform's status (SA installed on strongSwan; on
// CentOS the route ifup adds, plus the SA where the router can show one), and for
// net-to-net a ping from the router's LAN address to the peer's LAN address.
import type { Platform, TunnelEnd, TunnelStatus } from "@/lib/platforms/contract";
import type { RouterIO } from "@/lib/deploy/router-io";

export type EndCheck = { ok: boolean; status: TunnelStatus; reason: string; routesText: string };

/** `ip route list table all` without the kernel's local/broadcast bookkeeping. */
export function interestingRoutes(text: string): string {
  return text
    .split("\n")
    .filter((l) => l.trim() && !/^(local|broadcast|multicast|anycast) /.test(l) && !/ table local\b/.test(l) && !/^(fe80|ff00|::1)/.test(l))
    .join("\n");
}

function judge(platform: Platform, end: TunnelEnd, commands: { argv: string[] }[], results: { stdout: string; exitCode: number }[]): EndCheck {
  const status = platform.parseStatus(end, results);
  const routeIdx = commands.findIndex((c) => c.argv[0] === "ip");
  const routesText = routeIdx >= 0 ? interestingRoutes(results[routeIdx]?.stdout ?? "") : "";
  if (status.state === "up") return { ok: true, status, reason: "security association established", routesText };
  // A real racoon router cannot list SAs; its `ip route` entry is the article's check.
  const canListSas = results.some((r, i) => commands[i]?.argv[0] === "swanctl" && r.exitCode === 0);
  if (status.state === "configured" && !canListSas) return { ok: true, status, reason: "route to the remote network installed", routesText };
  const reason = status.state === "configured" ? "route installed but no security association yet" : "no security association and no route";
  return { ok: false, status, reason, routesText };
}

/**
 * Runs the platform's status commands once (at the same time, as channels of the one
 * session: they only read) and judges each of this router's ends.
 */
export async function checkEnds(io: RouterIO, platform: Platform, ends: TunnelEnd[]): Promise<EndCheck[]> {
  if (!ends.length) return [];
  const commands = platform.statusCommands(ends[0]!);
  const results = await Promise.all(commands.map((c) => io.exec(c.argv, { timeoutMs: 15_000 }).then((r) => ({ stdout: r.stdout, exitCode: r.exitCode }))));
  return ends.map((end) => judge(platform, end, commands, results));
}

export async function checkEnd(io: RouterIO, platform: Platform, end: TunnelEnd): Promise<EndCheck> {
  return (await checkEnds(io, platform, [end]))[0]!;
}

/** Pings the peer's LAN address from this router's LAN address, through the tunnel. */
export async function pingThroughTunnel(io: RouterIO, end: TunnelEnd): Promise<{ ok: boolean; summary: string }> {
  const from = end.local.lanAddress;
  const to = end.remote.lanAddress;
  if (!from || !to) return { ok: true, summary: "no LAN addresses (host-to-host)" };
  const r = await io.exec(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-I", from, to], { timeoutMs: 15_000 });
  const summary = r.stdout.split("\n").find((l) => /packets transmitted/.test(l)) ?? `exit ${r.exitCode}`;
  return { ok: r.exitCode === 0, summary: `ping ${from} → ${to}: ${summary.trim()}` };
}

/**
 * Repeats `attempt` until `done` or the deadline. An attempt that throws (a status
 * command timing out on a busy router) is tried again; only the last error is thrown.
 */
export async function waitFor<T>(attempt: () => Promise<T>, done: (t: T) => boolean, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const result = await attempt();
      if (done(result) || Date.now() >= deadline) return result;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
