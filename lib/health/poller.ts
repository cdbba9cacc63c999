// The health loop: every GATEWARDEN_HEALTH_INTERVAL_SECONDS, one round over every
// deployed tunnel whose gateways have a pinned host key. Per gateway ONE pooled SSH
// session (kept open between rounds), the platform's status commands once (not per
// tunnel), one probe per tunnel (from its "b" end), then a judgement and a sample per
// tunnel. Gateways held by a job are skipped and keep their last state. Started once
// per process from lib/startup.ts; pollNow() serves tests, benchmarks and "Check now".
// On PostgreSQL several instances run a poller each, but only the leader (lib/health/leader)
// runs the scheduled rounds; pollNow() runs wherever it is asked, as it is an explicit request.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { tunnelEndsFor, type RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { sessionOptionsFor } from "@/lib/deploy/connect";
import { recordOfferedHostKey, setGatewayReachability, type GatewayConnectionRow } from "@/lib/db/gateways";
import {
  deleteSamples,
  getGatewaysForConnection,
  getLatestSample,
  listAgedSamples,
  listHealthTargets,
  listLockedGatewayIds,
  listTunnelIdsWithSamples,
  recordHealthSample,
  type HealthTarget,
} from "@/lib/db/health";
import { SshPool, type SessionOpener } from "@/lib/ssh/pool";
import { isSshError } from "@/lib/ssh/errors";
import type { SshSession } from "@/lib/ssh/session";
import { getEnv } from "@/lib/config/env";
import { logger } from "@/lib/log/logger";
import { mapBounded } from "@/lib/jobs/concurrency";
import { recordTunnelCheck } from "@/lib/db/tunnel-metrics";
import { observeHealthRound } from "@/lib/metrics/registry";
import { readingFromJudgement } from "@/lib/metrics/traffic-totals";
import { PgAdvisoryLeadership, singleInstance, type Leadership } from "./leader";
import { leaderTimings } from "./leader-state";
import { evaluateTunnel, type CommandOutput, type Counters, type EndObservation, type HealthDetail, type Judgement } from "./evaluate";
import { parsePing, probeArgvFor, type ProbeResult } from "./parse-ping";
import { samplesToDelete } from "./thinning";
import { getAlertEngine } from "@/lib/alerts/alert-engine";

const COMMAND_TIMEOUT_MS = 15_000;
/** Commands a gateway runs at once, as channels of its one session (OpenSSH's MaxSessions defaults to 10). */
const CHANNELS_PER_GATEWAY = 4;
const THIN_EVERY_MS = 10 * 60_000;

export type RoundResult = {
  startedAt: Date;
  durationMs: number;
  /** Of which SSH work (status commands and probes on every gateway, in parallel). */
  visitMs: number;
  gateways: number;
  /** Gateways skipped because a job held them. */
  skippedGateways: string[];
  judgements: Map<string, Judgement>;
};

type GatewayWork = { gw: GatewayConnectionRow; ends: RenderableEnd[]; probes: RenderableEnd[] };
type GatewayOutcome =
  { ok: true; outputs: Map<string, CommandOutput>; probes: Map<string, ProbeResult> } | { ok: false; code: string; message: string };

export type HealthPollerOptions = {
  intervalMs: number;
  maxConcurrent: number;
  open?: SessionOpener;
  /** Who runs the scheduled rounds when several instances share a database; default: this process. */
  leadership?: Leadership;
  /**
   * After each scheduled round (on the leader only, so one instance fires alerts): the
   * alert rules (lib/alerts/alert-engine). Awaited before the next round is scheduled;
   * it must not send anything itself (deliveries go out in the background).
   */
  afterRound?: (round: RoundResult) => Promise<unknown>;
};

export class HealthPoller {
  private readonly pool: SshPool;
  private readonly leadership: Leadership;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  /** A scheduled round is being decided or run; it schedules the next one itself. */
  private ticking = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly previous = new Map<string, Counters>();
  private lastThinAt = 0;
  lastRound: { at: Date; durationMs: number; tunnels: number } | null = null;

  constructor(private readonly opts: HealthPollerOptions) {
    // Idle sessions outlive the interval, so each round reuses the previous round's session.
    this.pool = new SshPool({
      maxConcurrent: opts.maxConcurrent,
      idleMs: opts.intervalMs * 3 + 60_000,
      ...(opts.open ? { open: opts.open } : {}),
    });
    this.leadership = opts.leadership ?? singleInstance;
  }

  start(firstDelayMs = 2_000): void {
    if (this.running) return;
    this.running = true;
    // A new leader polls at once: the previous one's last round may be an interval old.
    this.leadership.start((leader) => {
      if (leader) this.scheduleTick(0);
    });
    this.scheduleTick(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.chain.catch(() => undefined);
    // After the last round, so the next leader does not start while this one still polls.
    await this.leadership.stop();
    await this.pool.closeAll();
  }

  /** One round now (after any round in progress): all tunnels, or only these. */
  pollNow(tunnelIds?: readonly string[]): Promise<RoundResult> {
    const round = this.chain.then(() => this.round(tunnelIds));
    this.chain = round.catch(() => undefined);
    return round;
  }

  private scheduleTick(ms: number) {
    if (!this.running || this.ticking) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick() {
    this.ticking = true;
    try {
      if ((await this.leadership.confirm()) && this.running) {
        const round = await this.pollNow();
        await this.opts.afterRound?.(round);
      }
    } catch (e) {
      logger.error({ err: e }, "health round failed");
    } finally {
      this.ticking = false;
    }
    this.scheduleTick(this.opts.intervalMs);
  }

  private async round(tunnelIds?: readonly string[]): Promise<RoundResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    const [targets, locked] = await Promise.all([listHealthTargets(tunnelIds), listLockedGatewayIds()]);
    const skipped = new Set<string>();
    const work = new Map<string, GatewayWork>();
    const ready: { target: HealthTarget; ends: [RenderableEnd, RenderableEnd] }[] = [];
    for (const target of targets) {
      const busy = target.ends.filter((e) => locked.has(e.gateway.id));
      if (busy.length) {
        busy.forEach((e) => skipped.add(e.gateway.name));
        continue;
      }
      // Status commands and probes never use the key: no PSK is decrypted for health.
      const ends = tunnelEndsFor(target, "");
      ready.push({ target, ends });
      for (const end of ends) {
        const w = work.get(end.gatewayId) ?? { gw: undefined as unknown as GatewayConnectionRow, ends: [], probes: [] };
        w.ends.push(end);
        // The "b" end probes: on hub-and-spoke that spreads the pings over the spokes.
        if (end.role === "b") w.probes.push(end);
        work.set(end.gatewayId, w);
      }
    }
    for (const gw of await getGatewaysForConnection([...work.keys()])) work.get(gw.id)!.gw = gw;

    const tVisit = performance.now();
    const outcomes = new Map<string, GatewayOutcome>();
    await Promise.all(
      [...work.entries()].map(async ([id, w]) =>
        // A gateway deleted since the tunnel list was read: judged unreachable this once.
        outcomes.set(id, w.gw ? await this.visitGateway(w) : { ok: false, code: "unreachable", message: "The gateway was deleted." }),
      ),
    );

    const visitMs = Math.round(performance.now() - tVisit);
    const judgements = new Map<string, Judgement>();
    const now = new Date();
    for (const { target, ends } of ready) {
      const observations = ends.map((e) => observe(e, outcomes.get(e.gatewayId)!)) as [EndObservation, EndObservation];
      const judgement = evaluateTunnel({ ends: observations, previous: await this.previousCounters(target.id), now });
      judgements.set(target.id, judgement);
      const { ikeSpi, childSpiIn, bytesIn, bytesOut, packetsIn, packetsOut } = judgement;
      if (judgement.detail.counters) this.previous.set(target.id, { ikeSpi, childSpiIn, bytesIn, bytesOut, packetsIn, packetsOut });
      else this.previous.delete(target.id);
      await recordHealthSample(target.id, { ...judgement, detail: JSON.stringify(judgement.detail) });
      if (getEnv().metricsEnabled) {
        // Bookkeeping for /metrics must not cost the round: the next round's reading covers what this one missed.
        await recordTunnelCheck(target.id, {
          at: now,
          reached: judgement.state !== "unreachable",
          latencyMs: judgement.latencyMs,
          lossPct: judgement.lossPct,
          reading: readingFromJudgement(judgement),
        }).catch((e) => logger.error({ err: e, tunnelId: target.id }, "recording the tunnel's metrics failed"));
      }
      if (judgement.state !== target.healthState) {
        logger.info(
          { tunnelId: target.id, from: target.healthState, to: judgement.state, reason: judgement.reason },
          "tunnel health changed",
        );
      }
    }
    if (!tunnelIds && Date.now() - this.lastThinAt > THIN_EVERY_MS) {
      this.lastThinAt = Date.now();
      await thinAllSamples().catch((e) => logger.error({ err: e }, "thinning health samples failed"));
    }
    const durationMs = Math.round(performance.now() - t0);
    if (!tunnelIds) {
      this.lastRound = { at: startedAt, durationMs, tunnels: ready.length };
      observeHealthRound(durationMs / 1000);
    }
    logger.debug({ durationMs, visitMs, tunnels: ready.length, gateways: work.size, skipped: [...skipped] }, "health round");
    return { startedAt, durationMs, visitMs, gateways: work.size, skippedGateways: [...skipped], judgements };
  }

  private async previousCounters(tunnelId: string): Promise<Counters | null> {
    const cached = this.previous.get(tunnelId);
    if (cached) return cached;
    // After a restart: the last stored sample (its CHILD SPI is in the detail).
    const s = await getLatestSample(tunnelId);
    if (!s?.detail) return null;
    const detail = JSON.parse(s.detail) as HealthDetail;
    const n = (v: bigint | null) => (v === null ? null : Number(v));
    return {
      ikeSpi: s.ikeSpi,
      childSpiIn: detail.counters?.childSpiIn ?? null,
      bytesIn: n(s.bytesIn),
      bytesOut: n(s.bytesOut),
      packetsIn: n(s.packetsIn),
      packetsOut: n(s.packetsOut),
    };
  }

  /**
   * A pooled session can die between rounds (router rebooted, NAT timeout): one retry on a
   * fresh session, so a stale connection does not show as "unreachable" for a whole round.
   */
  private async visitGateway(w: GatewayWork): Promise<GatewayOutcome> {
    const first = await this.visitGatewayOnce(w);
    return !first.ok && first.code === "connection-lost" ? this.visitGatewayOnce(w) : first;
  }

  /** Status commands once for the gateway (deduplicated across its tunnels), and one probe per tunnel it probes from. */
  private async visitGatewayOnce(w: GatewayWork): Promise<GatewayOutcome> {
    const commands = new Map<string, string[]>();
    for (const end of w.ends) {
      for (const c of getPlatform(end.platform).statusCommands(end.end)) commands.set(JSON.stringify(c.argv), c.argv);
    }
    try {
      const result = await this.pool.withSession({ key: w.gw.id, options: sessionOptionsFor(w.gw) }, async (session: SshSession) => {
        // Each exec costs a channel set-up on the router (~170 ms on the lab's sshd), so the
        // status commands and probes run side by side as channels of the one session.
        const outputs = new Map<string, CommandOutput>();
        const probes = new Map<string, ProbeResult>();
        const tasks: (() => Promise<void>)[] = [
          ...[...commands].map(([key, argv]) => async () => {
            const r = await session.exec(argv, { timeoutMs: COMMAND_TIMEOUT_MS });
            outputs.set(key, { argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
          }),
          ...w.probes.map((end) => async () => {
            const p = probeArgvFor(end.end);
            const r = await session.exec(p.argv, { timeoutMs: COMMAND_TIMEOUT_MS });
            probes.set(end.end.tunnelId, parsePing(p.from, p.to, r));
          }),
        ];
        await mapBounded(tasks, CHANNELS_PER_GATEWAY, (task) => task());
        return { ok: true as const, outputs, probes };
      });
      await setGatewayReachability(w.gw.id, "ok", null);
      return result;
    } catch (e) {
      if (!isSshError(e)) throw e;
      const state = e.code === "host-key-changed" || e.code === "host-key-unknown" || e.code === "auth-failed" ? e.code : "unreachable";
      await setGatewayReachability(w.gw.id, state, e.userMessage);
      if (e.offeredFingerprint) await recordOfferedHostKey(w.gw.id, e.offeredFingerprint);
      return { ok: false, code: e.code, message: e.userMessage };
    }
  }
}

function observe(end: RenderableEnd, outcome: GatewayOutcome): EndObservation {
  const base = { role: end.role, gatewayName: end.gatewayName, platform: end.platform, end: end.end };
  if (!outcome.ok) return { ...base, reached: false, failure: { code: outcome.code, message: outcome.message } };
  const outputs = getPlatform(end.platform)
    .statusCommands(end.end)
    .map((c) => outcome.outputs.get(JSON.stringify(c.argv))!);
  return { ...base, reached: true, outputs, probe: outcome.probes.get(end.end.tunnelId) ?? null };
}

/** Applies the retention policy to every tunnel's samples. */
export async function thinAllSamples(now = new Date()): Promise<number> {
  let deleted = 0;
  const hourAgo = new Date(now.getTime() - 3_600_000);
  for (const tunnelId of await listTunnelIdsWithSamples()) {
    const ids = samplesToDelete(await listAgedSamples(tunnelId, hourAgo), now);
    deleted += await deleteSamples(tunnelId, ids, hourAgo);
  }
  return deleted;
}

const globalForHealth = globalThis as unknown as { gatewardenHealthPoller?: HealthPoller };

export function getHealthPoller(): HealthPoller {
  const env = getEnv();
  const intervalMs = env.healthIntervalSeconds * 1000;
  globalForHealth.gatewardenHealthPoller ??= new HealthPoller({
    intervalMs,
    maxConcurrent: 8,
    leadership:
      env.databaseKind === "postgres"
        ? new PgAdvisoryLeadership({ connectionString: env.databaseUrl, timings: leaderTimings(intervalMs) })
        : singleInstance,
    afterRound: () => getAlertEngine().afterRound(),
  });
  return globalForHealth.gatewardenHealthPoller;
}

export function startHealthPoller(): void {
  getHealthPoller().start();
}
