// Judges one tunnel from what a health round saw on its two gateways. "SA established"
// alone lies (a peer that died keeps its SA until DPD notices; a broken route keeps the
// SA and drops every packet), so three signals are combined:
//   1. SA / route state of BOTH ends (the platform's own status parser),
//   2. the CHILD SA's traffic counters moving in both directions since the last sample,
//   3. an in-tunnel probe (ping LAN → peer LAN, or the peer's public IP host-to-host),
//      and a ping to each site's probe target (a host on its LAN), when one is set.
// An end that cannot be reached is judged with the other end's view (./reach-advice).
// Pure: the poller feeds it recorded command outputs, and so do the unit tests.
import { getPlatform } from "@/lib/platforms";
import type { ChildSa, IkeSa, PlatformId, TunnelEnd, TunnelStatus } from "@/lib/platforms/contract";
import { describeProbePath, lossPctOf, type ProbeResult } from "./parse-ping";
import { unreachedJudgement, type PeerView } from "./reach-advice";

export const HEALTH_STATES = ["up", "degraded", "down", "unreachable", "unknown"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export type CommandOutput = { argv: string[]; exitCode: number; stdout: string; stderr: string };

type EndBase = { role: "a" | "b"; gatewayName: string; platform: PlatformId; end: TunnelEnd };
/** One tunnel end as a round saw it: SSH failed, or the status outputs (statusCommands order) and maybe a probe. */
export type EndObservation =
  | (EndBase & { reached: false; failure: { code: string; message: string; managementAddress?: string } })
  | (EndBase & {
      reached: true;
      outputs: CommandOutput[];
      probe: ProbeResult | null;
      /** Pings this end ran to a host on the other site's LAN (that site's probe target). */
      lanProbes?: ProbeResult[];
      /** The platform's failureLogCommands outputs (why a tunnel is down), when read. */
      failureLog?: CommandOutput[];
    });

/** The counters of the previous sample, to see whether traffic moved since. */
export type Counters = {
  ikeSpi: string | null;
  childSpiIn: string | null;
  bytesIn: number | null;
  bytesOut: number | null;
  packetsIn: number | null;
  packetsOut: number | null;
};

export type EndDetail = {
  role: "a" | "b";
  gateway: string;
  /** Platform state of the end, or "unreachable" when SSH failed. */
  state: TunnelStatus["state"] | "unreachable";
  /** The router's routes of every table without the kernel's local/broadcast entries. */
  routes: string;
  /** This tunnel's SAs as people read them (or why there are none). */
  sas: string;
  error?: string;
};

export type HealthDetail = {
  ends: EndDetail[];
  /** The router-to-router probe. */
  probe: ProbeResult | null;
  /** Every probe of the round, router to router and to LAN hosts, with its path (absent on older samples). */
  probes?: ProbeResult[];
  /** Whose CHILD SA the counters are read from (in/out as that gateway sees them), and the SA's two SPIs there. */
  counters: { gateway: string; role: "a" | "b"; childSpiIn: string | null; childSpiOut?: string | null } | null;
};

export type Judgement = Counters & {
  state: HealthState;
  reason: string;
  at: Date;
  latencyMs: number | null;
  lossPct: number | null;
  detail: HealthDetail;
};

type SeenEnd = {
  obs: Extract<EndObservation, { reached: true }>;
  status: TunnelStatus;
  effectiveUp: boolean;
  why: string;
  detail: EndDetail;
};

function seeEnd(obs: Extract<EndObservation, { reached: true }>): SeenEnd {
  const platform = getPlatform(obs.platform);
  const status = platform.parseStatus(obs.end, obs.outputs);
  // The router's own word on why it is down (AUTH_FAILED in the daemon's log), where it says so.
  const cause = status.state !== "up" && obs.failureLog?.length ? platform.parseFailureLog(obs.end, obs.failureLog) : null;
  const detail: EndDetail = {
    role: obs.role,
    gateway: obs.gatewayName,
    state: status.state,
    routes: status.routesText,
    sas: status.saText,
  };
  return { obs, status, effectiveUp: status.state === "up", why: cause ? `${status.reason}; ${cause}` : status.reason, detail };
}

function installedChild(sa: IkeSa | null, end: TunnelEnd): ChildSa | null {
  if (!sa) return null;
  const installed = sa.children.filter((c) => c.state === "INSTALLED");
  return installed.find((c) => c.name === end.connectionName) ?? installed[0] ?? null;
}

/** in/out delta since the previous sample, or null when the counters are not comparable (rekeyed, reset). */
function deltas(now: Counters, before: Counters | null): { in: number; out: number } | null {
  if (!before || before.childSpiIn === null || before.childSpiIn !== now.childSpiIn) return null;
  if (now.packetsIn === null || now.packetsOut === null || before.packetsIn === null || before.packetsOut === null) return null;
  const dIn = now.packetsIn - before.packetsIn;
  const dOut = now.packetsOut - before.packetsOut;
  return dIn < 0 || dOut < 0 ? null : { in: dIn, out: dOut };
}

function describeProbe(p: ProbeResult): string {
  const route = p.path?.kind === "lan-host" ? describeProbePath(p) : `${p.from ?? "router"} → ${p.to}`;
  if (p.error) return `probe ${route} could not run (${p.error})`;
  const loss = lossPctOf(p);
  return `probe ${route}: ${loss}% loss${p.avgMs !== null ? `, ${p.avgMs} ms average` : ""}`;
}

const EMPTY_COUNTERS: Counters = { ikeSpi: null, childSpiIn: null, bytesIn: null, bytesOut: null, packetsIn: null, packetsOut: null };

export function evaluateTunnel(input: {
  ends: readonly [EndObservation, EndObservation];
  previous: Counters | null;
  now: Date;
}): Judgement {
  const { ends, now } = input;
  const unreached = ends.filter((e): e is Extract<EndObservation, { reached: false }> => !e.reached);
  if (unreached.length) {
    const reachedEnd = ends.find((e): e is Extract<EndObservation, { reached: true }> => e.reached);
    const peerSeen = reachedEnd ? seeEnd(reachedEnd) : null;
    const peerProbe = reachedEnd?.probe && reachedEnd.probe.error === null ? reachedEnd.probe : null;
    const peer: PeerView | null = peerSeen
      ? {
          gateway: peerSeen.obs.gatewayName,
          saUp: peerSeen.effectiveUp,
          why: peerSeen.why,
          probe: peerProbe ? { answered: peerProbe.received > 0, text: describeProbe(peerProbe) } : null,
        }
      : null;
    const { state, reason } = unreachedJudgement(
      unreached.map((e) => ({ gateway: e.gatewayName, ...e.failure })),
      peer,
    );
    const detail: HealthDetail = {
      ends: ends.map((e) =>
        e.reached
          ? seeEnd(e).detail
          : { role: e.role, gateway: e.gatewayName, state: "unreachable", routes: "", sas: "", error: e.failure.message },
      ),
      probe: reachedEnd?.probe ?? null,
      probes: reachedEnd ? [...(reachedEnd.probe ? [reachedEnd.probe] : []), ...(reachedEnd.lanProbes ?? [])] : [],
      counters: null,
    };
    return { state, reason, at: now, latencyMs: null, lossPct: null, ...EMPTY_COUNTERS, detail };
  }

  const seen = (ends as readonly Extract<EndObservation, { reached: true }>[]).map(seeEnd);
  // The "b" end's router probe first (the one every round runs); "a"'s when only it ran one.
  const probeRun =
    [...seen].sort((x, y) => (x.obs.role === "b" ? -1 : 1) - (y.obs.role === "b" ? -1 : 1)).find((s) => s.obs.probe)?.obs.probe ?? null;
  const lanProbes = seen.flatMap((s) => s.obs.lanProbes ?? []);
  const lanRun = lanProbes.filter((p) => p.error === null);
  const lanSilent = lanRun.filter((p) => p.received === 0);
  const lanLossy = lanRun.filter((p) => p.received > 0 && (lossPctOf(p) ?? 0) > 0);
  // A probe that could not run (ping missing, killed) says nothing about the tunnel: shown, not judged.
  const probe = probeRun && probeRun.error === null ? probeRun : null;
  const loss = probe ? lossPctOf(probe) : null;
  const answered = probe !== null && probe.received > 0;

  // Counters from the first end with an installed CHILD SA, as that gateway sees them.
  const counting = seen.find((s) => installedChild(s.status.ikeSa, s.obs.end));
  const child = counting ? installedChild(counting.status.ikeSa, counting.obs.end) : null;
  const sa = counting?.status.ikeSa ?? null;
  const counters: Counters = child
    ? {
        ikeSpi: sa ? `${sa.initiatorSpi}_i ${sa.responderSpi}_r` : null,
        childSpiIn: child.inbound?.spi ?? null,
        bytesIn: child.inbound?.bytes ?? null,
        bytesOut: child.outbound?.bytes ?? null,
        packetsIn: child.inbound?.packets ?? null,
        packetsOut: child.outbound?.packets ?? null,
      }
    : EMPTY_COUNTERS;
  const moved = deltas(counters, input.previous);

  const upEnds = seen.filter((s) => s.effectiveUp);
  const downEnds = seen.filter((s) => !s.effectiveUp);
  const probeText = [probeRun, ...lanProbes]
    .filter((p): p is ProbeResult => p !== null)
    .map((p) => `; ${describeProbe(p)}`)
    .join("");
  let state: HealthState;
  let reason: string;
  if (upEnds.length === 0) {
    state = "down";
    reason = `Down on both ends: ${seen.map((s) => `${s.obs.gatewayName}: ${s.why}`).join("; ")}${probeText}.`;
  } else if (downEnds.length) {
    const bad = downEnds.map((s) => `${s.obs.gatewayName} has ${s.why}`).join("; ");
    if (answered) {
      state = "degraded";
      reason = `Only ${upEnds.map((s) => s.obs.gatewayName).join(" and ")} reports the tunnel up: ${bad}${probeText}.`;
    } else {
      state = "down";
      reason = `Down: ${bad}${probeText}.`;
    }
  } else if (probe && !answered) {
    state = "down";
    reason = `Both ends report a security association but nothing crosses the tunnel: ${[probe, ...lanProbes].map(describeProbe).join("; ")}.`;
  } else if (lanSilent.length) {
    // The routers reach each other through the tunnel, but a LAN behind one of them does not answer.
    state = "degraded";
    reason = `${lanSilent
      .map(
        (p) =>
          `the LAN host ${p.to} at ${p.path?.kind === "lan-host" ? p.path.site : "the far site"} does not answer through the tunnel (${describeProbe(p)})`,
      )
      .join("; ")
      .replace(
        /^t/,
        "T",
      )}, while the routers reach each other${probe ? ` (${describeProbe(probe)})` : ""}. Check that site's LAN: the router's LAN port, the switch, the host.`;
  } else if (lanLossy.length) {
    state = "degraded";
    reason = `Packet loss to a LAN host through the tunnel: ${lanLossy.map(describeProbe).join("; ")}.`;
  } else if (loss !== null && loss > 0) {
    state = "degraded";
    reason = `Packet loss through the tunnel: ${describeProbe(probe!)}.`;
  } else if (moved && moved.out > 0 && moved.in === 0) {
    state = "degraded";
    reason = `One direction is silent: ${counting!.obs.gatewayName} sent ${moved.out} packet(s) into the tunnel since the last check but received none.`;
  } else if (moved && moved.in > 0 && moved.out === 0) {
    state = "degraded";
    reason = `One direction is silent: ${counting!.obs.gatewayName} received ${moved.in} packet(s) from the tunnel since the last check but sent none.`;
  } else {
    state = "up";
    reason = `Up on both ends${probeText}${moved ? `; ${moved.in} packet(s) in, ${moved.out} out since the last check` : ""}.`;
  }
  // The chart follows the probe the user chose: the first LAN host when one is set, else router to router.
  const charted = lanRun[0] ?? probe;
  return {
    state,
    reason,
    at: now,
    latencyMs: charted && charted.received > 0 ? charted.avgMs : null,
    lossPct: charted ? lossPctOf(charted) : null,
    ...counters,
    detail: {
      ends: seen.map((s) => s.detail),
      probe: probeRun,
      probes: [...seen.flatMap((s) => (s.obs.probe ? [s.obs.probe] : [])), ...lanProbes],
      counters: counting
        ? {
            gateway: counting.obs.gatewayName,
            role: counting.obs.role,
            childSpiIn: counters.childSpiIn,
            childSpiOut: child?.outbound?.spi ?? null,
          }
        : null,
    },
  };
}
