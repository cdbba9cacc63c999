// The job queue of PostgreSQL mode, where several app instances share one database.
// Job/JobStep/JobLog rows stay the record the UI reads and the truth about a job; a
// pg-boss message ({ jobId }, one queue per kind) says "some instance should look at
// this row". An instance fetches only as many messages as it has free slots, claims the
// row (conditional update: one instance wins, a duplicate message is a no-op), locks
// the gateways in GatewayLock rows (busy: the row goes back to queued and a delayed
// message follows), starts the handler and completes the message at once. From then on
// the row's owner and heartbeat say who runs the job, exactly as in the embedded runner:
// a live instance marks a dead one's jobs interrupted and re-queues or recovers them.
//
// Why pg-boss 10: it runs on Node 20 (11+ needs 22); it fetches with FOR UPDATE SKIP
// LOCKED, so instances never hand out the same message twice and never block each other;
// a message fetched by an instance that dies before confirming it expires and is retried
// (expireInSeconds, retryLimit); startAfter delays a message (a busy gateway); the
// "short" policy keeps at most one waiting message per job (singletonKey = job id). It
// needs nothing but the database: start() creates its own schema `pgboss` with its
// migrations under an advisory lock, which the gatewarden role may do in the database it
// owns. Messages are not the truth, rows are: a row inserted without a message (a kind's
// onInterrupted, or a crash between insert and send) is found by the sweep and sent.
//
// Why fetch instead of boss.work(): in pg-boss 10 a worker awaits its whole batch before
// fetching again and has no concurrency limit across queues, and it keeps a message
// active for as long as its handler runs; here a message lives for milliseconds and the
// instance's concurrency is the number of running jobs.
import "server-only";
import pg from "pg";
import PgBoss from "pg-boss";
import { getQueuedJob, listQueuedJobIds } from "@/lib/db/jobs";
import { logger } from "@/lib/log/logger";
import { JobExecutor } from "@/lib/jobs/job-executor";
import { waitAtMost } from "@/lib/jobs/concurrency";
import type { JobDefinition, JobQueue } from "@/lib/jobs/types";

export type PgBossQueueOptions = {
  owner: string;
  connectionString: string;
  concurrency: number;
  pollMs: number;
  heartbeatMs: number;
  /** A running job whose heartbeat is older than this belongs to a dead instance. */
  staleMs: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definitions: JobDefinition<any>[];
  /** A fetched message not confirmed within this time is handed out again. */
  messageExpireSeconds?: number;
  /** How often pg-boss looks for expired messages (one instance does it per interval). */
  maintenanceIntervalSeconds?: number;
};

type Message = { jobId: string; attempt?: number };

export const queueNameOf = (kind: string) => `gatewarden-job-${kind}`;
/** Seconds before a job waiting for a busy gateway looks again: 1, 2, … 5. */
const busyDelaySeconds = (attempt: number) => Math.min(1 + attempt, 5);

export class PgBossJobQueue implements JobQueue {
  private readonly executor: JobExecutor;
  private boss?: Promise<PgBoss>;
  private pollTimer?: NodeJS.Timeout;
  private beatTimer?: NodeJS.Timeout;
  private stopped = false;
  private ticking: Promise<void> | null = null;
  private again = false;
  private beating: Promise<void> | null = null;
  private nextKind = 0;

  constructor(private readonly opts: PgBossQueueOptions) {
    this.executor = new JobExecutor({
      owner: opts.owner,
      staleMs: opts.staleMs,
      definitions: opts.definitions,
      requeueInterrupted: true,
      noteWaiting: true,
      onFinished: () => this.wake(),
      onQueued: (job) => this.dispatch(job),
    });
  }

  async start(): Promise<void> {
    await this.openBoss();
    await this.recoverStale();
    // Rows queued while no instance ran, or whose message died with an instance.
    await this.sweep(0);
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollMs);
    this.beatTimer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.wake();
  }

  /**
   * Stops taking jobs, waits for the running ones (at most timeoutMs when given), still
   * heartbeating them: a live instance would otherwise take them over. Those still
   * running then are left to a live instance, or this one's next start, to recover.
   */
  async stop(opts: { timeoutMs?: number } = {}): Promise<{ unfinished: string[] }> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    await this.ticking;
    await waitAtMost(this.executor.idle(), opts.timeoutMs);
    clearInterval(this.beatTimer);
    await this.executor.settleUnsettled().catch(() => undefined);
    await this.beating;
    const boss = await this.boss?.catch(() => undefined);
    this.boss = undefined;
    await boss?.stop({ graceful: false, close: true });
    return { unfinished: this.executor.activeJobIds };
  }

  get activeJobIds(): string[] {
    return this.executor.activeJobIds;
  }

  async idle(): Promise<void> {
    await this.executor.idle();
  }

  /** Works without start(): an instance that only enqueues opens pg-boss on first use. */
  async dispatch(job: { id: string; kind: string }): Promise<void> {
    await this.send(job.id, job.kind, 0, 0);
    this.wake();
  }

  wake(): void {
    if (this.stopped || !this.pollTimer) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((e) => logger.error({ err: e }, "job queue tick failed"))
      .finally(() => (this.ticking = null));
  }

  private openBoss(): Promise<PgBoss> {
    this.boss ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.opts.connectionString,
        schedule: false,
        max: 4,
        application_name: "gatewarden-jobs",
        maintenanceIntervalSeconds: this.opts.maintenanceIntervalSeconds ?? 60,
      });
      boss.on("error", (e) => logger.error({ err: e }, "pg-boss error"));
      await boss.start();
      await this.createQueues(boss);
      return boss;
    })().catch((e) => {
      this.boss = undefined;
      throw e;
    });
    return this.boss;
  }

  private async createQueues(boss: PgBoss) {
    const existing = new Set((await boss.getQueues()).map((q) => q.name));
    const missing = this.executor.kinds.map(queueNameOf).filter((name) => !existing.has(name));
    if (!missing.length) return;
    // pg-boss 10's create_queue deadlocks when two instances create queues at once (each
    // creates a partition and attaches it): one instance at a time, under an advisory lock
    // that ends with the session.
    const client = new pg.Client({ connectionString: this.opts.connectionString, application_name: "gatewarden-jobs" });
    await client.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('gatewarden-job-queues'))");
      for (const name of missing) {
        // A message only points at a row, so retrying it is always safe.
        await boss.createQueue(name, {
          name,
          policy: "short",
          retryLimit: 10,
          retryDelay: 5,
          expireInSeconds: this.opts.messageExpireSeconds ?? 60,
        });
      }
    } finally {
      await client.end();
    }
  }

  /** One message per job, in one statement (the sweep; bulk enqueues). Duplicates are dropped. */
  async dispatchAll(jobs: { id: string; kind: string }[]): Promise<void> {
    const kinds = new Set(this.executor.kinds);
    const known = jobs.filter((j) => kinds.has(j.kind));
    if (!known.length) return;
    const boss = await this.openBoss();
    await boss.insert(
      known.map((j) => ({ name: queueNameOf(j.kind), data: { jobId: j.id, attempt: 0 } satisfies Message, singletonKey: j.id })),
    );
    this.wake();
  }

  private async send(jobId: string, kind: string, attempt: number, delaySeconds: number) {
    const boss = await this.openBoss();
    // null when the job already has a waiting message (singletonKey, policy "short"): nothing to do.
    await boss.send(queueNameOf(kind), { jobId, attempt } satisfies Message, {
      singletonKey: jobId,
      ...(delaySeconds ? { startAfter: delaySeconds } : {}),
    });
  }

  /** Sends a message for queued rows older than minAgeMs; the "short" policy drops duplicates. */
  private async sweep(minAgeMs: number) {
    await this.dispatchAll(await listQueuedJobIds({ createdBefore: new Date(Date.now() - minAgeMs), limit: 500 }));
  }

  private recoverStale() {
    return this.executor.recover({ heartbeatBefore: new Date(Date.now() - this.opts.staleMs) }, false);
  }

  private beat() {
    this.beating ??= (async () => {
      try {
        await this.executor.heartbeat();
        if (this.stopped) return;
        const interrupted = await this.recoverStale();
        // After recovery at once (onInterrupted may have inserted rows); otherwise only rows
        // that waited long enough for their message to have been lost.
        await this.sweep(interrupted ? 0 : this.opts.staleMs);
      } catch (e) {
        logger.error({ err: e }, "job heartbeat failed");
      } finally {
        this.beating = null;
      }
    })();
    return this.beating;
  }

  private async tick() {
    // A job that ended while the database refused writes is written first; until then nothing new is taken.
    if ((await this.executor.settleUnsettled()) > 0) return;
    const boss = await this.openBoss();
    const kinds = this.executor.kinds;
    do {
      this.again = false;
      // Round-robin over the kinds so one busy kind cannot starve the others.
      for (let i = 0; i < kinds.length && !this.stopped; i++) {
        const free = this.opts.concurrency - this.executor.size;
        if (free <= 0) return;
        const kind = kinds[(this.nextKind + i) % kinds.length]!;
        const messages = await boss.fetch<Message>(queueNameOf(kind), { batchSize: free });
        // At most `free` of them, so running them side by side keeps within concurrency.
        await Promise.all(messages.map((m) => this.handle(boss, kind, m)));
        if (messages.length) this.again = true;
      }
      this.nextKind = (this.nextKind + 1) % Math.max(kinds.length, 1);
    } while (this.again && !this.stopped);
  }

  private async handle(boss: PgBoss, kind: string, message: PgBoss.Job<Message>) {
    const queue = queueNameOf(kind);
    const { jobId, attempt = 0 } = message.data;
    try {
      const job = await getQueuedJob(jobId);
      // No queued row: a duplicate message, or the job already ran or was claimed elsewhere.
      const outcome = job ? await this.executor.tryStart(job) : "lost";
      if (outcome === "busy") await this.send(jobId, kind, attempt + 1, busyDelaySeconds(attempt));
      await boss.complete(queue, message.id);
    } catch (e) {
      // pg-boss retries the message after retryDelay; the row is still queued (or the
      // claim's heartbeat will go stale and the job be recovered).
      logger.error({ err: e, jobId }, "could not take a queued job");
      await boss.fail(queue, message.id, { message: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
    }
  }
}
