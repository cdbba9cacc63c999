// The embedded job runner (SQLite, one process): polls Job rows with status queued,
// claims one, locks its gateways (all or none; a job whose gateway is busy waits its
// turn), runs the handler, records the outcome. At start-up every job an earlier
// process left running is interrupted and recovered: a kind that is safe to repeat
// (deploy, teardown) is queued again, a rotation gets its recovery job. A job that
// ended while the database refused writes is settled by the poll once it takes them
// again (no restart needed); until then no new job is claimed. It also works on
// PostgreSQL (the claim and the locks are conditional writes; heartbeats let a live
// instance mark a dead one's jobs), but PostgreSQL mode uses the pg-boss queue
// (lib/jobs/pg-boss-queue.ts) instead.
import "server-only";
import { listQueuedJobs } from "@/lib/db/jobs";
import { logger } from "@/lib/log/logger";
import { JobExecutor } from "@/lib/jobs/job-executor";
import { waitAtMost } from "@/lib/jobs/concurrency";
import type { JobDefinition, JobQueue } from "@/lib/jobs/types";

export type RunnerOptions = {
  owner: string;
  concurrency: number;
  pollMs: number;
  heartbeatMs: number;
  /** A running job whose heartbeat is older than this belongs to a dead instance. */
  staleMs: number;
  /** SQLite has one process: every job left running at start-up is interrupted. */
  singleInstance: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definitions: JobDefinition<any>[];
};

export class JobRunner implements JobQueue {
  private readonly executor: JobExecutor;
  private ticking: Promise<void> | null = null;
  private again = false;
  private pollTimer?: NodeJS.Timeout;
  private beatTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly opts: RunnerOptions) {
    this.executor = new JobExecutor({
      owner: opts.owner,
      staleMs: opts.staleMs,
      definitions: opts.definitions,
      // Deploys and teardowns are idempotent: one a stop cut short is run again at the next start.
      requeueInterrupted: true,
      noteWaiting: false,
      onFinished: () => this.wake(),
      onQueued: async () => this.wake(),
    });
  }

  /** Starts polling; after stop() it resumes (a stopped runner would otherwise ignore every wake). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.recover();
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollMs);
    this.beatTimer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.wake();
  }

  /**
   * Stops taking jobs and waits for the running ones (at most timeoutMs when given),
   * heartbeating them meanwhile; returns those still running, for the next start to recover.
   */
  async stop(opts: { timeoutMs?: number } = {}): Promise<{ unfinished: string[] }> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    await this.ticking; // a job being claimed right now is waited for like the others
    await waitAtMost(this.executor.idle(), opts.timeoutMs);
    clearInterval(this.beatTimer);
    await this.executor.settleUnsettled().catch(() => undefined);
    return { unfinished: this.executor.activeJobIds };
  }

  get activeJobIds(): string[] {
    return this.executor.activeJobIds;
  }

  /** Waits until the job has finished in this process (tests, scripts). */
  async idle(): Promise<void> {
    await this.executor.idle();
  }

  /** The row is what this runner polls: nothing to send, just look now. */
  async dispatch(): Promise<void> {
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    // Not awaited: whoever queued a job must not wait for it to be claimed; a failed tick is logged and the next poll tries again.
    this.ticking = this.tick()
      .catch((e) => logger.error({ err: e }, "job runner tick failed"))
      .finally(() => (this.ticking = null));
  }

  private recover() {
    const { singleInstance, staleMs } = this.opts;
    return this.executor.recover(singleInstance ? {} : { heartbeatBefore: new Date(Date.now() - staleMs) }, singleInstance);
  }

  private async beat() {
    try {
      await this.executor.heartbeat();
      if (!this.opts.singleInstance && !this.stopped) await this.recover();
    } catch (e) {
      logger.error({ err: e }, "job heartbeat failed");
    }
  }

  private async tick() {
    // Jobs that ended while the database refused writes come first: while one cannot be
    // written, nothing new could be claimed either.
    if ((await this.executor.settleUnsettled()) > 0) return;
    do {
      this.again = false;
      const free = this.opts.concurrency - this.executor.size;
      if (free <= 0 || this.stopped) break;
      for (const job of await listQueuedJobs(free * 4)) {
        if (this.executor.size >= this.opts.concurrency || this.stopped) break;
        await this.executor.tryStart(job);
      }
    } while (this.again && !this.stopped);
  }
}
