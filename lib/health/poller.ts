// The health loop: every GATEWARDEN_HEALTH_INTERVAL_SECONDS, one round over every
// deployed tunnel whose gateways have a pinned host key. Per gateway ONE pooled SSH
// session (kept open between rounds), the platform's status commands once (not per
// tunnel), the probes of each tunnel (./parse-ping planProbes: router to router from its "b"
// end, and to each site's probe target from the other end), then a judgement and a sample per
// tunnel as soon as its two gateways answered. A slow or dark gateway does not hold up the
// others: the round stops waiting after GATEWARDEN_HEALTH_ROUND_WAIT_SECONDS and its tunnels
// are judged when it answers. Management access (can a FRESH connection log in?) is checked
// on its own schedule (./management) and kept on the gateway, apart from tunnel health.
// Gateways held by a job are skipped and keep their last state. Started once
// per process from lib/startup.ts; pollNow() serves tests, benchmarks and "Check now".
// On PostgreSQL several instances run a poller each, but only the leader (lib/health/leader)
// runs the scheduled rounds; pollNow() runs wherever it is asked, as it is an explicit request.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { tunnelEndsFor, type RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { sessionOptionsFor } from "@/lib/deploy/connect";
import { recordOfferedHostKey, setGatewayReachability } from "@/lib/db/gateways";
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
import { parsePing, planProbes, type PlannedProbe, type ProbeEnd, type ProbeResult } from "./parse-ping";
import { samplesToDelete } from "./thinning";
import { managementCheckDue, type ManagementCheck, type ManagementMemory } from "./management";
import { getAlertEngine } from "@/lib/alerts/alert-engine";

const COMMAND_TIMEOUT_MS = 15_000;
/** Commands a gateway runs at once, as channels of its one session (OpenSSH's MaxSessions defaults to 10). */
const CHANNELS_PER_GATEWAY = 4;
const THIN_EVERY_MS = 10 * 60_000;

export type RoundResult = {
  startedAt: Date;
  durationMs: number;
  /** Of which SSH work (status commands and probes on every gateway, in parallel), until every answer or the round's wait ran out. */
  visitMs: number;
  gateways: number;
  /** Gateways skipped because a job held them. */
  skippedGateways: string[];
  /** Gateways that had not answered when the round stopped waiting: their tunnels are judged (and sampled) when they do. */
  waiting: string[];
  /** The tunnels judged within the round. */
  judgements: Map<string, Judgement>;
};

type GatewayRow = Awaited<ReturnType<typeof getGatewaysForConnection>>[number];
/** readLog: a tunnel on it was not up last round, so the daemon's log is read for why (failureLogCommands). */
type GatewayWork = { gw: GatewayRow; ends: RenderableEnd[]; probes: { tunnelId: string; probe: PlannedProbe }[]; readLog?: boolean };
type GatewayOutcome =
  | { ok: true; outputs: Map<string, CommandOutput>; probes: Map<string, ProbeResult[]> }
  | { ok: false; code: string; message: string; managementAddress?: string };

const probeKey = (p: { tunnelId: string; probe: PlannedProbe }) => `${p.tunnelId} ${JSON.stringify(p.probe.argv)}`;
/** A gateway's visit that has not ended yet; a later round waits for it rather than starting a second one. */
type Visit = { work: GatewayWork; outcome: Promise<GatewayOutcome> };

export type HealthPollerOptions = {
  intervalMs: number;
  maxConcurrent: number;
  open?: SessionOpener;
  /** Who runs the scheduled rounds when several instances share a database; default: this process. */
  leadership?: Leadership;
  /** A fresh SSH connection proves each gateway can be managed at least this often (default 180 s). */
  managementCheckMs?: number;
  /**
   * How long a scheduled round waits for its slowest gateway (default 5 s). A gateway that
   * takes longer does not hold up the next round for everyone else: its visit goes on, its
   * tunnels are judged when it answers (or its commands time out), and no second visit to it
   * starts meanwhile. pollNow() waits for every answer.
   */
  roundWaitMs?: number;
  /**
   * After each scheduled round (on the leader only, so one instance fires alerts): the
   * alert rules (lib/alerts/alert-engine). Awaited before the next round is scheduled;
   * it must not send anything itself (deliveries go out in the background).
   */
  afterRound?: (round: RoundResult) => Promise<unknown>;
};

const OPEN_FAILURES = new Set(["host-key-changed", "host-key-unknown", "auth-failed"]);
const reachabilityOf = (code: string) => (OPEN_FAILURES.has(code) ? code : "unreachable");

function statusCommandsOf(w: GatewayWork): Map<string, string[]> {
  const commands = new Map<string, string[]>();
  for (const end of w.ends) {
    for (const c of getPlatform(end.platform).statusCommands(end.end)) commands.set(JSON.stringify(c.argv), c.argv);
    if (w.readLog) for (const c of getPlatform(end.platform).failureLogCommands()) commands.set(JSON.stringify(c.argv), c.argv);
  }
  return commands;
}

/** The earlier visit runs every status command and probe this one needs. */
function covers(earlier: GatewayWork, now: GatewayWork): boolean {
  const had = statusCommandsOf(earlier);
  const probed = new Set(earlier.probes.map(probeKey));
  return [...statusCommandsOf(now).keys()].every((k) => had.has(k)) && now.probes.every((p) => probed.has(probeKey(p)));
}

export class HealthPoller {
  private readonly pool: SshPool;
  private readonly leadership: Leadership;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private stopping = false;
  /** A scheduled round is being decided or run; it schedules the next one itself. */
  private ticking = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly previous = new Map<string, Counters>();
  private readonly inFlight = new Map<string, Visit>();
  /** Judgements a round stopped waiting for. */
  private readonly background = new Set<Promise<unknown>>();
  /** The outcomes each tunnel was last judged from: a visit two rounds share is sampled once. */
  private readonly lastJudged = new Map<string, { seen: readonly GatewayOutcome[]; judgement: Judgement }>();
  private readonly management = new Map<string, ManagementMemory>();
  /** Gateways whose pooled session failed at the last visit: their next visit starts with a fresh connection. */
  private readonly suspect = new Set<string>();
  private readonly managementCheckMs: number;
  private readonly roundWaitMs: number;
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
    this.managementCheckMs = opts.managementCheckMs ?? 180_000;
    this.roundWaitMs = opts.roundWaitMs ?? 5_000;
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
    // Visits still under way end with the sessions; what they saw then is not a sample.
    this.stopping = true;
    await this.pool.closeAll();
    await Promise.allSettled([...this.background]);
    // After the last round, so the next leader does not start while this one still polls.
    await this.leadership.stop();
  }

  /** One round now (after any round in progress), waiting for every gateway: all tunnels, or only these. */
  pollNow(tunnelIds?: readonly string[]): Promise<RoundResult> {
    return this.enqueueRound(tunnelIds, Infinity);
  }

  private enqueueRound(tunnelIds: readonly string[] | undefined, waitMs: number): Promise<RoundResult> {
    const round = this.chain.then(() => this.round(tunnelIds, waitMs));
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
        const round = await this.enqueueRound(undefined, this.roundWaitMs);
        await this.opts.afterRound?.(round);
      }
    } catch (e) {
      logger.error({ err: e }, "health round failed");
    } finally {
      this.ticking = false;
    }
    this.scheduleTick(this.opts.intervalMs);
  }

  private async round(tunnelIds: readonly string[] | undefined, waitMs: number): Promise<RoundResult> {
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
      const probeEnd = (e: RenderableEnd): ProbeEnd => {
        const site = target.ends.find((t) => t.gateway.id === e.gatewayId)!.gateway.site;
        return { role: e.role, gatewayName: e.gatewayName, siteName: site.name, probeTarget: site.probeTarget, end: e.end };
      };
      const probes = planProbes(
        [probeEnd(ends[0]), probeEnd(ends[1])],
        // Not up last round: both ends probe, so an end that cannot be reached is judged by its peer's view.
        { bothRouterProbes: target.healthState !== "up" },
      );
      for (const end of ends) {
        const w = work.get(end.gatewayId) ?? { gw: undefined as unknown as GatewayRow, ends: [], probes: [] };
        w.ends.push(end);
        if (target.healthState !== "up") w.readLog = true;
        for (const probe of probes) if (probe.role === end.role) w.probes.push({ tunnelId: target.id, probe });
        work.set(end.gatewayId, w);
      }
    }
    for (const gw of await getGatewaysForConnection([...work.keys()])) work.get(gw.id)!.gw = gw;

    const tVisit = performance.now();
    const outcomes = new Map<string, Promise<GatewayOutcome>>();
    const answered = new Set<string>();
    for (const [id, w] of work) {
      const outcome = this.visitOf(id, w);
      outcomes.set(id, outcome);
      void outcome.then(
        () => answered.add(id),
        () => answered.add(id),
      );
    }

    // Each tunnel is judged as soon as its two gateways have answered, not when the slowest gateway of the round has.
    const judgements = new Map<string, Judgement>();
    const judged = ready.map(async ({ target, ends }) => {
      const seen = await Promise.all(ends.map((e) => outcomes.get(e.gatewayId)!));
      const j = await this.judge(target, ends, seen);
      if (j) judgements.set(target.id, j);
    });
    const all = Promise.all(judged);
    if (waitMs === Infinity) await all;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = await Promise.race([all.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), waitMs)))]);
      clearTimeout(timer);
      if (!waited) {
        const rest = all.catch((e) => logger.error({ err: e }, "health judgement failed"));
        this.background.add(rest);
        void rest.finally(() => this.background.delete(rest));
      }
    }
    const visitMs = Math.round(performance.now() - tVisit);
    const waiting = [...work].filter(([id]) => !answered.has(id)).map(([, w]) => w.gw?.name ?? "?");

    if (!tunnelIds && Date.now() - this.lastThinAt > THIN_EVERY_MS) {
      this.lastThinAt = Date.now();
      await thinAllSamples().catch((e) => logger.error({ err: e }, "thinning health samples failed"));
    }
    const durationMs = Math.round(performance.now() - t0);
    if (!tunnelIds) {
      this.lastRound = { at: startedAt, durationMs, tunnels: ready.length };
      observeHealthRound(durationMs / 1000);
    }
    logger.debug({ durationMs, visitMs, tunnels: ready.length, gateways: work.size, skipped: [...skipped], waiting }, "health round");
    return { startedAt, durationMs, visitMs, gateways: work.size, skippedGateways: [...skipped], waiting, judgements };
  }

  /** This round's view of a gateway: the visit still under way from an earlier round when it covers this one, else a new visit (after it). */
  private visitOf(id: string, w: GatewayWork): Promise<GatewayOutcome> {
    // A gateway deleted since the tunnel list was read: judged unreachable this once.
    if (!w.gw) return Promise.resolve({ ok: false, code: "unreachable", message: "The gateway was deleted." });
    const earlier = this.inFlight.get(id);
    if (earlier && covers(earlier.work, w)) return earlier.outcome;
    const outcome = earlier ? earlier.outcome.catch(() => undefined).then(() => this.visitGateway(w)) : this.visitGateway(w);
    const visit: Visit = { work: w, outcome };
    this.inFlight.set(id, visit);
    void outcome.then(
      () => this.inFlight.get(id) === visit && this.inFlight.delete(id),
      () => this.inFlight.get(id) === visit && this.inFlight.delete(id),
    );
    return outcome;
  }

  private async judge(target: HealthTarget, ends: [RenderableEnd, RenderableEnd], seen: GatewayOutcome[]): Promise<Judgement | null> {
    if (this.stopping) return null;
    const before = this.lastJudged.get(target.id);
    // The same visits, already judged and sampled by an earlier round: that judgement, not a second sample.
    if (before && before.seen.every((o, i) => o === seen[i])) return before.judgement;
    const observations = ends.map((e, i) => observe(e, seen[i]!)) as [EndObservation, EndObservation];
    const judgement = evaluateTunnel({ ends: observations, previous: await this.previousCounters(target.id), now: new Date() });
    const { ikeSpi, childSpiIn, bytesIn, bytesOut, packetsIn, packetsOut } = judgement;
    if (judgement.detail.counters) this.previous.set(target.id, { ikeSpi, childSpiIn, bytesIn, bytesOut, packetsIn, packetsOut });
    else this.previous.delete(target.id);
    this.lastJudged.set(target.id, { seen, judgement });
    await recordHealthSample(target.id, { ...judgement, detail: JSON.stringify(judgement.detail) });
    if (getEnv().metricsEnabled) {
      // Bookkeeping for /metrics must not cost the round: the next round's reading covers what this one missed.
      await recordTunnelCheck(target.id, {
        at: judgement.at,
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
    return judgement;
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
    const first = await this.visitGatewayOnce(w, false);
    return !first.ok && first.code === "connection-lost" ? this.visitGatewayOnce(w, true) : first;
  }

  /**
   * The management check when it is due (a fresh connection; see ./management), then the
   * status commands once for the gateway (deduplicated across its tunnels) and one probe per
   * tunnel it probes from, over the pooled session. A tunnel is read over a session that still
   * works even when a fresh one is refused: it can be up while its gateway cannot be managed.
   */
  private async visitGatewayOnce(w: GatewayWork, afterDrop: boolean): Promise<GatewayOutcome> {
    const id = w.gw.id;
    const target = { key: id, options: sessionOptionsFor(w.gw) };
    const check: ManagementCheck = afterDrop
      ? { due: true, why: "the pooled session dropped" }
      : managementCheckDue({
          last: this.management.get(id),
          now: Date.now(),
          intervalMs: this.managementCheckMs,
          recorded: { state: w.gw.reachability, at: w.gw.reachabilityAt },
          pooled: this.pool.hasLive(target),
          suspect: this.suspect.has(id),
        });
    if (check.due) {
      const refused = await this.checkManagement(w.gw, target, check.why);
      if (refused && !this.pool.hasLive(target)) return refused;
    }
    const commands = statusCommandsOf(w);
    try {
      const result = await this.pool.withSession(target, async (session: SshSession) => {
        // Each exec costs a channel set-up on the router (~170 ms on the lab's sshd), so the
        // status commands and probes run side by side as channels of the one session.
        const outputs = new Map<string, CommandOutput>();
        const probes = new Map<string, ProbeResult[]>();
        const tasks: (() => Promise<void>)[] = [
          ...[...commands].map(([key, argv]) => async () => {
            const r = await session.exec(argv, { timeoutMs: COMMAND_TIMEOUT_MS });
            outputs.set(key, { argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
          }),
          ...w.probes.map(({ tunnelId, probe: p }) => async () => {
            const r = await session.exec(p.argv, { timeoutMs: COMMAND_TIMEOUT_MS });
            probes.set(tunnelId, [...(probes.get(tunnelId) ?? []), parsePing(p.from, p.to, r, p.path)]);
          }),
        ];
        await mapBounded(tasks, CHANNELS_PER_GATEWAY, (task) => task());
        return { ok: true as const, outputs, probes };
      });
      this.suspect.delete(id);
      return result;
    } catch (e) {
      if (!isSshError(e)) throw e;
      // The next visit proves (or disproves) management access with a fresh connection.
      this.suspect.add(id);
      return { ok: false, code: e.code, message: e.userMessage, managementAddress: managementAddressOf(w.gw) };
    }
  }

  /** A fresh connection, put in the pool when it works; the gateway's management state says what happened. Returns the failure, if any. */
  private async checkManagement(
    gw: GatewayRow,
    target: { key: string; options: ReturnType<typeof sessionOptionsFor> },
    why: string,
  ): Promise<GatewayOutcome | null> {
    const before = this.management.get(gw.id);
    try {
      await this.pool.refresh(target);
      await setGatewayReachability(gw.id, "ok", null);
      this.management.set(gw.id, { checkedAt: Date.now(), ok: true });
      this.suspect.delete(gw.id);
      if (before && !before.ok) logger.info({ gateway: gw.name }, "management access to the gateway works again");
      return null;
    } catch (e) {
      if (!isSshError(e)) throw e;
      await setGatewayReachability(gw.id, reachabilityOf(e.code), e.userMessage);
      if (e.offeredFingerprint) await recordOfferedHostKey(gw.id, e.offeredFingerprint);
      this.management.set(gw.id, { checkedAt: Date.now(), ok: false });
      if (!before || before.ok) logger.warn({ gateway: gw.name, code: e.code, why }, "management access to the gateway is broken");
      return { ok: false, code: e.code, message: e.userMessage, managementAddress: managementAddressOf(gw) };
    }
  }
}

const managementAddressOf = (gw: GatewayRow) => `${gw.sshHost} port ${gw.sshPort}`;

function observe(end: RenderableEnd, outcome: GatewayOutcome): EndObservation {
  const base = { role: end.role, gatewayName: end.gatewayName, platform: end.platform, end: end.end };
  if (!outcome.ok) {
    const { code, message, managementAddress } = outcome;
    return { ...base, reached: false, failure: { code, message, ...(managementAddress ? { managementAddress } : {}) } };
  }
  const outputs = getPlatform(end.platform)
    .statusCommands(end.end)
    .map((c) => outcome.outputs.get(JSON.stringify(c.argv)))
    .filter((o): o is CommandOutput => o !== undefined);
  const failureLog = getPlatform(end.platform)
    .failureLogCommands()
    .map((c) => outcome.outputs.get(JSON.stringify(c.argv))!);
  const probes = outcome.probes.get(end.end.tunnelId) ?? [];
  return {
    ...base,
    reached: true,
    outputs,
    failureLog,
    probe: probes.find((p) => p.path?.kind !== "lan-host") ?? null,
    lanProbes: probes.filter((p) => p.path?.kind === "lan-host"),
  };
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
    managementCheckMs: env.managementCheckSeconds * 1000,
    roundWaitMs: env.healthRoundWaitSeconds * 1000,
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
