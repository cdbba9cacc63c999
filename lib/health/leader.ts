// Exactly one app instance runs the scheduled health rounds when several share one
// PostgreSQL database: the one holding a session-level advisory lock on a connection of
// its own. PostgreSQL frees such a lock the moment the session ends, so an instance that
// crashes or is killed (its kernel closes the socket) hands over within one check, with no
// lease table and no clocks to compare. A holder that goes silent with its socket open (a
// frozen process, a network cut) is ended by the server after idle_session_timeout, as
// the holder pings its connection every check. The poller asks confirm() before each
// scheduled round, so a holder whose connection ended never starts another round.
// Decisions live in ./leader-state (pure); this module only talks to PostgreSQL.
import "server-only";
import { hostname } from "node:os";
import pg from "pg";
import { logger } from "@/lib/log/logger";
import {
  afterAnswer,
  initialLeaderState,
  nextQuestion,
  type LeaderAnswer,
  type LeaderEvent,
  type LeaderState,
  type LeaderTimings,
} from "./leader-state";

export interface Leadership {
  /** Takes part from now on; onChange(true) when this instance becomes the leader, (false) when it no longer is. */
  start(onChange: (leader: boolean) => void): void;
  /** Asks now (the holder checks its connection first): may this instance run a scheduled round? */
  confirm(): Promise<boolean>;
  /** Leaves, closing the connection: the lock is free for another instance at once. */
  stop(): Promise<void>;
}

/** SQLite is one process: it always polls. */
export const singleInstance: Leadership = { start: () => {}, confirm: async () => true, stop: async () => {} };

/** One lock per database; hashtext of a fixed name, like the job queue's lock (lib/jobs/pg-boss-queue.ts). */
const LOCK_KEY = "hashtext('gatewarden-health-poller')";
export const LEADER_APPLICATION_NAME = "gatewarden-health-leader";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class PgAdvisoryLeadership implements Leadership {
  private state: LeaderState = initialLeaderState;
  private client: pg.Client | null = null;
  /** Why the last connection ended (the server's message, e.g. the idle-session timeout). */
  private endedBecause: string | null = null;
  private asking: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private warnedNoIdleTimeout = false;
  private onChange: (leader: boolean) => void = () => {};
  private readonly instance = `${hostname()}:${process.pid}`;

  constructor(private readonly opts: { connectionString: string; timings: LeaderTimings }) {}

  get isLeader(): boolean {
    return this.state.leader;
  }

  start(onChange: (leader: boolean) => void): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.onChange = onChange;
    // Not awaited: start() returns at once; each check arms the timer for the next when it settles.
    const loop = () =>
      void this.confirm().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(loop, this.opts.timings.checkEveryMs);
        this.timer.unref?.();
      });
    loop();
  }

  confirm(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    this.asking ??= this.ask().finally(() => (this.asking = null));
    return this.asking;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.asking;
    const wasLeader = this.state.leader;
    this.state = initialLeaderState;
    const client = this.client;
    this.client = null;
    await this.close(client);
    if (wasLeader) {
      logger.info({ instance: this.instance }, "health poller leadership released");
      this.onChange(false);
    }
  }

  private async ask(): Promise<boolean> {
    const { state, event } = afterAnswer(this.state, await this.answer(nextQuestion(this.state)));
    this.state = state;
    if (event) this.report(event);
    if (event?.kind === "gained" || event?.kind === "lost") this.onChange(state.leader);
    return state.leader;
  }

  private async answer(question: "ping" | "try-lock"): Promise<LeaderAnswer> {
    try {
      if (question === "ping") {
        // Only the connection that took the lock proves anything: a new one would not hold it.
        if (!this.client) return { kind: "failed", reason: this.endedBecause ?? "the connection holding the lock ended" };
        await this.client.query("SELECT 1");
        return { kind: "alive" };
      }
      const client = await this.connection();
      const r = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`);
      return r.rows[0]?.locked ? { kind: "acquired" } : { kind: "taken" };
    } catch (e) {
      const reason = question === "ping" ? (this.endedBecause ?? message(e)) : message(e);
      const client = this.client;
      this.client = null;
      // Not awaited: close() never throws and gives up after 1 s; the failure is answered now.
      void this.close(client);
      return { kind: "failed", reason };
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const t = this.opts.timings;
    const client = new pg.Client({
      connectionString: this.opts.connectionString,
      application_name: LEADER_APPLICATION_NAME,
      connectionTimeoutMillis: t.queryTimeoutMs,
      query_timeout: t.queryTimeoutMs,
      keepAlive: true,
    });
    // Without a listener, the server ending the session would crash the process.
    client.on("error", (e) => this.ended(client, e.message));
    client.on("end", () => this.ended(client, "the connection ended"));
    try {
      await client.connect();
      await client.query(
        "SELECT set_config('tcp_keepalives_idle', $1, false), set_config('tcp_keepalives_interval', $1, false), set_config('tcp_keepalives_count', '3', false)",
        [String(t.keepaliveSeconds)],
      );
      await this.setIdleSessionTimeout(client, t.idleSessionTimeoutMs);
    } catch (e) {
      // Not awaited: close() never throws and gives up after 1 s; the connect error is what counts.
      void this.close(client);
      throw e;
    }
    this.client = client;
    this.endedBecause = null;
    return client;
  }

  private async setIdleSessionTimeout(client: pg.Client, ms: number) {
    try {
      await client.query("SELECT set_config('idle_session_timeout', $1, false)", [String(ms)]);
    } catch (e) {
      // 42704: PostgreSQL before 14 has no such setting; TCP keepalives remain.
      if ((e as { code?: string }).code !== "42704") throw e;
      if (!this.warnedNoIdleTimeout)
        logger.warn("PostgreSQL before 14: a frozen health poller leader keeps its lock until TCP keepalives end its session");
      this.warnedNoIdleTimeout = true;
    }
  }

  /** The server ended the session (terminated, idle timeout, restart): the holder steps down now, not at its next check. */
  private ended(client: pg.Client, reason: string) {
    if (this.client !== client) return;
    this.client = null;
    this.endedBecause = reason;
    // Called from the client's event handler, which cannot wait: the check steps down on its own.
    if (this.state.leader && !this.stopped) void this.confirm();
  }

  private async close(client: pg.Client | null) {
    if (!client) return;
    // end() waits for the server's goodbye, which never comes over a cut network.
    await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  private report(event: LeaderEvent) {
    if (event.kind === "gained") logger.info({ instance: this.instance }, "health poller leadership gained");
    else if (event.kind === "lost") logger.warn({ instance: this.instance, reason: event.reason }, "health poller leadership lost");
    else logger.warn({ instance: this.instance, reason: event.reason }, "health poller leadership: PostgreSQL unreachable");
  }
}
