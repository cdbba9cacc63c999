// What every job queue does once it holds a queued job: claim the Job row (a
// conditional write, so one instance wins), lock all the job's gateways or none, run
// the handler, record the outcome; the heartbeat that keeps claims and locks alive;
// and the recovery of jobs whose instance died (interrupted, then re-queued or handed
// to the kind's onInterrupted). Shared by the embedded runner and the pg-boss queue.
import "server-only";
import {
  acquireGatewayLocks,
  appendJobLog,
  claimJob,
  countInterruptedJobs,
  finishJob,
  getGatewayLockHolders,
  heartbeatJobs,
  insertJob,
  markInterrupted,
  nextLogSeq,
  refreshGatewayLocks,
  releaseGatewayLocks,
  releaseLocksOfIdleJobs,
} from "@/lib/db/jobs";
import { logger } from "@/lib/log/logger";
import { createJobContext } from "@/lib/jobs/context";
import { JobFailure, type JobDefinition } from "@/lib/jobs/types";

/** A job interrupted this often within an hour is not queued again (it may be what kills instances). */
const MAX_INTERRUPTIONS_PER_HOUR = 3;

export type QueuedJob = { id: string; kind: string; params: string; createdById: string | null; createdByName: string };
export type StartOutcome = "started" | "busy" | "lost" | "invalid" | "unknown-kind";

export type ExecutorOptions = {
  owner: string;
  /** Lock lifetime; refreshed by every heartbeat of the running job. */
  staleMs: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definitions: JobDefinition<any>[];
  /** Queue a fresh copy of an interrupted job whose kind is requeueWhenInterrupted. */
  requeueInterrupted: boolean;
  /** Leave a log line on a job that has to wait for a busy gateway. */
  noteWaiting: boolean;
  /** Called when a job finished (a slot is free) and when a job row was queued by recovery. */
  onFinished(): void;
  onQueued(job: { id: string; kind: string }): Promise<void>;
};

export class JobExecutor {
  private readonly running = new Map<string, Promise<void>>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly definitions: Map<string, JobDefinition<any>>;

  constructor(private readonly opts: ExecutorOptions) {
    this.definitions = new Map(opts.definitions.map((d) => [d.kind, d]));
  }

  get kinds(): string[] {
    return [...this.definitions.keys()];
  }

  get size(): number {
    return this.running.size;
  }

  get activeJobIds(): string[] {
    return [...this.running.keys()];
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  /** Claims the job, locks its gateways and starts it in the background. */
  async tryStart(job: QueuedJob): Promise<StartOutcome> {
    const def = this.definitions.get(job.kind);
    if (!def) return "unknown-kind";
    const parsed = def.schema.safeParse(JSON.parse(job.params));
    if (!parsed.success) {
      if (await claimJob(job.id, this.opts.owner)) await finishJob(job.id, "failed", null, "The job's parameters are invalid.");
      return "invalid";
    }
    // A job scheduled for later (a recovery's backoff) stays queued, unclaimed, until it is due.
    const notBefore = def.notBefore?.(parsed.data);
    if (notBefore && notBefore.getTime() > Date.now()) return "busy";
    const gateways = await def.gateways(parsed.data);
    // Locks first, claim second: a job waiting for a busy gateway never shows "running" meanwhile.
    if (!(await acquireGatewayLocks(gateways, job.id, this.opts.owner, this.opts.staleMs))) {
      const holders = await getGatewayLockHolders(gateways);
      // This very job holds them: another instance is starting it.
      if (holders.some((h) => h.jobId === job.id)) return "lost";
      if (this.opts.noteWaiting)
        await this.noteWaiting(job.id, holders).catch((e) => logger.warn({ err: e, jobId: job.id }, "could not note the wait"));
      return "busy"; // a gateway is busy with another job: the row stays queued until it is free
    }
    if (!(await claimJob(job.id, this.opts.owner))) {
      await releaseGatewayLocks(job.id);
      return "lost";
    }
    this.running.set(job.id, this.execute(job.id, job.kind, def, parsed.data, { id: job.createdById, username: job.createdByName }));
    return "started";
  }

  /** Keeps this instance's running jobs and their gateway locks alive. */
  async heartbeat(): Promise<void> {
    const ids = this.activeJobIds;
    await heartbeatJobs(ids);
    await refreshGatewayLocks(ids, this.opts.staleMs);
  }

  /**
   * Marks running jobs of a dead instance interrupted and recovers each per its kind.
   * releaseLocks: only when the old owner is surely gone (SQLite start-up); between live
   * instances the locks expire on their own, so a stalled-but-alive owner that still
   * refreshes them keeps its gateways until its handler returns. Returns how many.
   */
  async recover(where: { heartbeatBefore?: Date }, releaseLocks: boolean): Promise<number> {
    const jobs = await markInterrupted(where);
    if (releaseLocks) await releaseLocksOfIdleJobs();
    for (const job of jobs) {
      try {
        if (releaseLocks) await releaseGatewayLocks(job.id);
        logger.warn({ jobId: job.id, kind: job.kind, owner: job.owner }, "job was interrupted by a stopped app instance");
        const def = this.definitions.get(job.kind);
        const params = def?.schema.safeParse(JSON.parse(job.params));
        if (!def || !params?.success) continue;
        if (def.onInterrupted) await def.onInterrupted({ id: job.id, targetId: job.targetId, params: params.data });
        else if (this.opts.requeueInterrupted && def.requeueWhenInterrupted) await this.requeueCopy(job);
      } catch (e) {
        logger.error({ err: e, jobId: job.id }, "could not recover an interrupted job");
      }
    }
    return jobs.length;
  }

  private async requeueCopy(job: {
    id: string;
    kind: string;
    targetType: string;
    targetId: string;
    params: string;
    owner: string | null;
    createdById: string | null;
    createdByName: string;
  }) {
    const log = async (level: "info" | "warn", message: string) => appendJobLog(job.id, await nextLogSeq(job.id), level, message, null);
    const recent = await countInterruptedJobs(job, new Date(Date.now() - 3_600_000));
    if (recent > MAX_INTERRUPTIONS_PER_HOUR) {
      await log(
        "warn",
        `Instance ${job.owner} stopped while this job ran. Not queued again: the same job was interrupted ${recent} times in the last hour.`,
      );
      return;
    }
    const { kind, targetType, targetId, createdById, createdByName } = job;
    const { id } = await insertJob({ kind, targetType, targetId, params: JSON.parse(job.params), createdById, createdByName });
    await log("warn", `Instance ${job.owner} stopped while this job ran. It is safe to repeat, so it was queued again as job ${id}.`);
    await this.opts.onQueued({ id, kind: job.kind });
  }

  private async noteWaiting(jobId: string, holders: { gatewayId: string; jobId: string; owner: string }[]) {
    const who = holders.map((h) => `${h.gatewayId} (job ${h.jobId} on ${h.owner})`).join(", ") || "a gateway";
    await appendJobLog(
      jobId,
      await nextLogSeq(jobId),
      "info",
      `Waiting: ${who} is busy with another job (checked by ${this.opts.owner}).`,
      null,
    );
  }

  private async execute(
    jobId: string,
    kind: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    def: JobDefinition<any>,
    params: unknown,
    actor: { id: string | null; username: string },
  ) {
    try {
      const ctx = await createJobContext(jobId, kind, params, actor);
      try {
        const result = await def.handler(ctx);
        await finishJob(jobId, "succeeded", result, null);
      } catch (e) {
        const message = ctx.redact(e instanceof JobFailure ? e.message : `Unexpected error: ${e instanceof Error ? e.message : String(e)}`);
        if (!(e instanceof JobFailure)) logger.error({ jobId, err: ctx.redact(String(e instanceof Error ? e.stack : e)) }, "job crashed");
        await ctx.log("error", message).catch(() => undefined);
        await finishJob(jobId, "failed", null, message);
      }
    } catch (e) {
      logger.error({ err: e, jobId }, "could not record a job's outcome");
    } finally {
      await releaseGatewayLocks(jobId).catch((e) => logger.error({ err: e, jobId }, "could not release gateway locks"));
      this.running.delete(jobId);
      this.opts.onFinished();
    }
  }
}
