// The in-tunnel probe: which ping a tunnel end runs (router LAN address → peer LAN
// address for net-to-net, the peer's public address for host-to-host) and what its
// summary lines say. Pure, so the parser is tested on recorded iputils output.
import type { TunnelEnd } from "@/lib/platforms/contract";

export const PROBE_COUNT = 5;

export type ProbeResult = {
  /** Source address the probe was sent from (null: the router chose, host-to-host). */
  from: string | null;
  to: string;
  sent: number;
  received: number;
  /** Average round trip of the answered packets; null when none came back. */
  avgMs: number | null;
  /** Why the probe could not run at all (e.g. ping missing); null when it ran. */
  error: string | null;
};

/**
 * argv of the probe for this end: 5 packets 0.2 s apart, 1 s wait for the last, so ~0.8 s
 * when the tunnel answers and ~1.8 s when it does not (no -w: with a deadline ping keeps
 * sending until it expires when nothing answers).
 */
export function probeArgvFor(end: Pick<TunnelEnd, "kind" | "local" | "remote">): { argv: string[]; from: string | null; to: string } {
  const base = ["ping", "-n", "-q", "-c", String(PROBE_COUNT), "-i", "0.2", "-W", "1"];
  if (end.kind === "net-to-net" && end.local.lanAddress && end.remote.lanAddress) {
    return { argv: [...base, "-I", end.local.lanAddress, end.remote.lanAddress], from: end.local.lanAddress, to: end.remote.lanAddress };
  }
  return { argv: [...base, end.remote.publicIp], from: null, to: end.remote.publicIp };
}

const COUNTS = /(\d+) packets transmitted, (\d+) (?:packets )?received/;
const RTT = /(?:rtt|round-trip) min\/avg\/max(?:\/(?:mdev|stddev))? = [\d.]+\/([\d.]+)\//;

/** ping exits 1 when nothing came back: that is a result (100% loss), not a failure. */
export function parsePing(from: string | null, to: string, r: { exitCode: number; stdout: string; stderr: string }): ProbeResult {
  const counts = COUNTS.exec(r.stdout);
  if (!counts) {
    const why = (r.stderr.trim().split("\n")[0] || `ping printed no summary (exit ${r.exitCode})`).slice(0, 200);
    return { from, to, sent: 0, received: 0, avgMs: null, error: why };
  }
  const received = Number(counts[2]);
  const rtt = RTT.exec(r.stdout);
  return { from, to, sent: Number(counts[1]), received, avgMs: received > 0 && rtt ? Number(rtt[1]) : null, error: null };
}

export function lossPctOf(p: ProbeResult): number | null {
  if (p.error !== null || p.sent === 0) return null;
  return Math.round(((p.sent - p.received) / p.sent) * 1000) / 10;
}
