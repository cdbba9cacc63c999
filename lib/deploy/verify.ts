// Proving a tunnel end works: the platform's status says "up" (its parser knows what
// that rests on for its routers), and for net-to-net a ping from the router's LAN
// address to the peer's LAN address.
import type { CommandResult, Platform, TunnelEnd, TunnelStatus } from "@/lib/platforms/contract";
import type { RouterIO } from "@/lib/deploy/router-io";
import { isSshError } from "@/lib/ssh/errors";

export type EndCheck = { ok: boolean; status: TunnelStatus; reason: string; routesText: string };

function judge(platform: Platform, end: TunnelEnd, results: CommandResult[]): EndCheck {
  const status = platform.parseStatus(end, results);
  return { ok: status.state === "up", status, reason: status.reason, routesText: status.routesText };
}

/**
 * Runs the platform's status commands once (at the same time, as channels of the one
 * session: they only read) and judges each of this router's ends.
 */
export async function checkEnds(io: RouterIO, platform: Platform, ends: TunnelEnd[]): Promise<EndCheck[]> {
  if (!ends.length) return [];
  const commands = platform.statusCommands(ends[0]!);
  const results = await Promise.all(
    commands.map((c) => io.exec(c.argv, { timeoutMs: 15_000 }).then((r) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }))),
  );
  return ends.map((end) => judge(platform, end, results));
}

export async function checkEnd(io: RouterIO, platform: Platform, end: TunnelEnd): Promise<EndCheck> {
  return (await checkEnds(io, platform, [end]))[0]!;
}

/** The LAN-to-LAN ping through a tunnel from this end; null for host-to-host (no LAN to ping from). */
export function pingArgv(end: TunnelEnd): string[] | null {
  const from = end.local.lanAddress;
  const to = end.remote.lanAddress;
  if (!from || !to) return null;
  return ["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-I", from, to];
}

/** Pings the peer's LAN address from this router's LAN address, through the tunnel. */
export async function pingThroughTunnel(io: RouterIO, end: TunnelEnd): Promise<{ ok: boolean; summary: string }> {
  const from = end.local.lanAddress;
  const to = end.remote.lanAddress;
  const argv = pingArgv(end);
  if (!argv) return { ok: true, summary: "no LAN addresses (host-to-host)" };
  const r = await io.exec(argv, { timeoutMs: 15_000 });
  const summary = r.stdout.split("\n").find((l) => /packets transmitted/.test(l)) ?? `exit ${r.exitCode}`;
  return { ok: r.exitCode === 0, summary: `ping ${from} → ${to}: ${summary.trim()}` };
}

/**
 * Repeats `attempt` until `done` or the deadline. An attempt that throws (a status
 * command timing out on a busy router) is tried again; only the last error is thrown.
 * A dropped SSH connection is thrown at once: a dead session does not come back.
 * The waits between attempts grow (pollWaits) up to `intervalMs`.
 */
export async function waitFor<T>(attempt: () => Promise<T>, done: (t: T) => boolean, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; ; round++) {
    try {
      const result = await attempt();
      if (done(result) || Date.now() >= deadline) return result;
    } catch (e) {
      if (Date.now() >= deadline || isSshError(e, "connection-lost")) throw e;
    }
    await new Promise((r) => setTimeout(r, pollWait(round, intervalMs)));
  }
}

/**
 * The wait after the `round`-th (0-based) attempt: 100 ms, then doubling up to `capMs`.
 * What is polled (an IKE SA coming up, a route installed) is usually there within a few
 * hundred milliseconds: a flat half second wasted most of one on each tunnel's critical
 * path, while a later, slower wait keeps a router that takes its time from being polled hard.
 */
export function pollWait(round: number, capMs: number): number {
  return Math.min(capMs, 100 * 2 ** Math.min(round, 10));
}
