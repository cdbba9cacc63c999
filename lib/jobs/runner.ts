// Runs queued jobs in this process: claims a job row, locks its gateways (all or
// none; a job whose gateway is busy waits its turn), runs the handler, records the
// outcome. Several instances can run side by side on one PostgreSQL database: the
// claim and the locks are conditional writes, and heartbeats let a live instance
// mark a dead one's jobs as interrupted.
import "server-only";
import {
  acquireGatewayLocks,
  claimJob,
  finishJob,
  heartbeatJobs,
  listQueuedJobs,
  markInterrupted,
  refreshGatewayLocks,
  releaseGatewayLocks,
  requeueJob,
} from "@/lib/db/jobs";
import { logger } from "@/lib/log/logger";
import { createJobContext } from "@/lib/jobs/context";
import { JobFailure, type JobDefinition } from "@/lib/jobs/types";

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

export class JobRunner {
  private readonly running = new Map<string, Promise<void>>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly definitions: Map<string, JobDefinition<any>>;
  private ticking = false;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(private readonly opts: RunnerOptions) {
    this.definitions = new Map(opts.definitions.map((d) => [d.kind, d]));
  }

  async start(): Promise<void> {
    await this.recover(this.opts.singleInstance ? {} : { heartbeatBefore: new Date(Date.now() - this.opts.staleMs) });
    this.timers.push(setInterval(() => this.wake(), this.opts.pollMs));
    this.timers.push(setInterval(() => void this.beat(), this.opts.heartbeatMs));
    this.wake();
  }

  /** Stops taking jobs and waits for the running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.running.values()]);
  }

  get activeJobIds(): string[] {
    return [...this.running.keys()];
  }

  /** Waits until the job has finished in this process (tests, scripts). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  wake(): void {
    if (this.stopped) return;
    void this.tick().catch((e) => logger.error({ err: e }, "job runner tick failed"));
  }

  private async recover(where: { heartbeatBefore?: Date }) {
    const jobs = await markInterrupted(where);
    for (const job of jobs) {
      await releaseGatewayLocks(job.id);
      logger.warn({ jobId: job.id, kind: job.kind }, "job was interrupted by a stopped app instance");
      const def = this.definitions.get(job.kind);
      if (def?.onInterrupted) {
        const params = def.schema.safeParse(JSON.parse(job.params));
        if (params.success) await def.onInterrupted({ id: job.id, targetId: job.targetId, params: params.data });
      }
    }
  }

  private async beat() {
    try {
      const ids = this.activeJobIds;
      await heartbeatJobs(ids);
      await refreshGatewayLocks(ids, this.opts.staleMs);
      if (!this.opts.singleInstance) await this.recover({ heartbeatBefore: new Date(Date.now() - this.opts.staleMs) });
    } catch (e) {
      logger.error({ err: e }, "job heartbeat failed");
    }
  }

  private async tick() {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        const free = this.opts.concurrency - this.running.size;
        if (free <= 0 || this.stopped) break;
        for (const job of await listQueuedJobs(free * 4)) {
          if (this.running.size >= this.opts.concurrency) break;
          await this.tryStart(job);
        }
      } while (this.again);
    } finally {
      this.ticking = false;
    }
  }

  private async tryStart(job: { id: string; kind: string; params: string; createdById: string | null; createdByName: string }) {
    const def = this.definitions.get(job.kind);
    if (!def) return;
    const parsed = def.schema.safeParse(JSON.parse(job.params));
    if (!parsed.success) {
      if (await claimJob(job.id, this.opts.owner)) await finishJob(job.id, "failed", null, "The job's parameters are invalid.");
      return;
    }
    const gateways = await def.gateways(parsed.data);
    if (!(await claimJob(job.id, this.opts.owner))) return;
    if (!(await acquireGatewayLocks(gateways, job.id, this.opts.owner, this.opts.staleMs))) {
      await requeueJob(job.id); // a gateway is busy with another job: wait for it
      return;
    }
    const run = this.execute(job.id, job.kind, def, parsed.data, { id: job.createdById, username: job.createdByName });
    this.running.set(job.id, run);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async execute(jobId: string, kind: string, def: JobDefinition<any>, params: unknown, actor: { id: string | null; username: string }) {
    const ctx = await createJobContext(jobId, kind, params, actor);
    try {
      const result = await def.handler(ctx);
      await finishJob(jobId, "succeeded", result, null);
    } catch (e) {
      const message = ctx.redact(e instanceof JobFailure ? e.message : `Unexpected error: ${e instanceof Error ? e.message : String(e)}`);
      if (!(e instanceof JobFailure)) logger.error({ jobId, err: ctx.redact(String(e instanceof Error ? e.stack : e)) }, "job crashed");
      await ctx.log("error", message).catch(() => undefined);
      await finishJob(jobId, "failed", null, message);
    } finally {
      await releaseGatewayLocks(jobId).catch((e) => logger.error({ err: e, jobId }, "could not release gateway locks"));
      this.running.delete(jobId);
      this.wake();
    }
  }
}
