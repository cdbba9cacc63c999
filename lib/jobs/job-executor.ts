// What every job queue does once it holds a queued job: claim the Job row (a
// conditional write, so one instance wins), lock all the job's gateways or none, run
// the handler, record the outcome; the heartbeat that keeps claims and locks alive;
// and the recovery of jobs whose instance died (interrupted, then re-queued or handed
// to the kind's onInterrupted). Shared by the embedded runner and the pg-boss queue.
//
// A job whose record cannot be written (read-only or full data directory, failing
// database) stops touching routers (its context's signal) and cannot be finished nor its
// gateway locks released either: it is kept here, unsettled, and settled by the next
// call of settleUnsettled() that finds the database writable — the queue's poll, so
// without a restart. One whose handler ran to its end gets that outcome; one that lost
// its record mid-way is interrupted and recovered like a job cut by a stop.
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
  requeueJob,
} from "@/lib/db/jobs";
import { logger } from "@/lib/log/logger";
import { createJobContext, whyNotRecorded } from "@/lib/jobs/context";
import { JobFailure, ProgressNotRecorded, type JobContext, type JobDefinition } from "@/lib/jobs/types";
import { storageFailureCode } from "@/lib/db/errors";
import { observeJobDuration } from "@/lib/metrics/registry";

/** A job interrupted this often within an hour is not queued again (it may be what kills instances). */
const MAX_INTERRUPTIONS_PER_HOUR = 3;

export type QueuedJob = { id: string; kind: string; params: string; createdById: string | null; createdByName: string };
type InterruptedJob = Awaited<ReturnType<typeof markInterrupted>>[number];

/** How a job ended, to be written: its handler's outcome, or interrupted (its record was lost mid-way). */
type Outcome =
  | { status: "succeeded"; result: unknown }
  | { status: "failed"; error: string }
  | { status: "interrupted"; lost: ProgressNotRecorded; job?: InterruptedJob; locksReleased?: boolean };

/** A job that ended in this process but whose end is not written yet. */
type Unsettled = { jobId: string; outcome: Outcome; since: Date; attempts: number };
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
  private readonly unsettled = new Map<string, Unsettled>();
  /** Stops a running job's work on routers: its heartbeat found the database refusing writes. */
  private readonly halts = new Map<string, AbortController>();
  private settling: Promise<number> | null = null;
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

  /** Jobs that ended here but could not be written yet (the database refused). */
  get unsettledJobIds(): string[] {
    return [...this.unsettled.keys()];
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
    const gateways = await def.gateways(parsed.data);
    if (!(await claimJob(job.id, this.opts.owner))) return "lost";
    if (!(await acquireGatewayLocks(gateways, job.id, this.opts.owner, this.opts.staleMs))) {
      // Written while this instance holds the claim, so it cannot race the job's own log lines.
      if (this.opts.noteWaiting)
        await this.noteWaiting(job.id, gateways).catch((e) => logger.warn({ err: e, jobId: job.id }, "could not note the wait"));
      await requeueJob(job.id); // a gateway is busy with another job: wait for it
      return "busy";
    }
    this.running.set(job.id, this.execute(job.id, job.kind, def, parsed.data, { id: job.createdById, username: job.createdByName }));
    return "started";
  }

  /**
   * Keeps this instance's running jobs and their gateway locks alive. When the database
   * refuses the write (read-only, full, failing), every running job is halted at once:
   * none of them can record what it does on a router any more.
   */
  async heartbeat(): Promise<void> {
    const ids = this.activeJobIds;
    try {
      await heartbeatJobs(ids);
      await refreshGatewayLocks(ids, this.opts.staleMs);
    } catch (e) {
      if (storageFailureCode(e)) {
        for (const id of ids) {
          const halt = this.halts.get(id);
          if (halt && !halt.signal.aborted) halt.abort(new ProgressNotRecorded(whyNotRecorded(e), { cause: e }));
        }
      }
      throw e;
    }
  }

  /**
   * Marks running jobs of a dead instance interrupted and recovers each per its kind.
   * releaseLocks: only when the old owner is surely gone (SQLite start-up); between live
   * instances the locks expire on their own, so a stalled-but-alive owner that still
   * refreshes them keeps its gateways until its handler returns. Returns how many.
   */
  async recover(where: { heartbeatBefore?: Date }, releaseLocks: boolean): Promise<number> {
    const jobs = await markInterrupted(where);
    for (const job of jobs) {
      try {
        if (releaseLocks) await releaseGatewayLocks(job.id);
        logger.warn({ jobId: job.id, kind: job.kind, owner: job.owner }, "job was interrupted by a stopped app instance");
        await this.recoverOne(job, `Instance ${job.owner} stopped while this job ran.`);
      } catch (e) {
        logger.error({ err: e, jobId: job.id }, "could not recover an interrupted job");
      }
    }
    return jobs.length;
  }

  /** What an interrupted job's kind asks for: its onInterrupted, or a fresh copy when it is safe to repeat. */
  private async recoverOne(job: InterruptedJob, why: string) {
    const def = this.definitions.get(job.kind);
    const params = def?.schema.safeParse(JSON.parse(job.params));
    if (!def || !params?.success) return;
    if (def.onInterrupted) await def.onInterrupted({ id: job.id, targetId: job.targetId, params: params.data });
    else if (this.opts.requeueInterrupted && def.requeueWhenInterrupted) await this.requeueCopy(job, why);
  }

  /**
   * Writes the end of every job that ended here while the database refused writes; a job
   * that lost its record is interrupted, its gateways freed and it is recovered (re-queued
   * or its kind's onInterrupted). Each piece is done once, across calls. Returns how many
   * are still unsettled (the database still refuses). Called by the queue's poll.
   */
  settleUnsettled(): Promise<number> {
    if (!this.unsettled.size) return Promise.resolve(0);
    this.settling ??= (async () => {
      try {
        for (const entry of [...this.unsettled.values()]) {
          try {
            await this.settle(entry);
            this.unsettled.delete(entry.jobId);
            logger.info(
              { jobId: entry.jobId, status: entry.outcome.status, unsettledFor: Date.now() - entry.since.getTime() },
              "job settled now that the database takes writes again",
            );
          } catch (e) {
            if (entry.attempts++ === 0) logger.warn({ jobId: entry.jobId, err: whyNotRecorded(e) }, "job not settled yet: retrying");
            break; // the database still refuses: the others would fail the same way
          }
        }
        return this.unsettled.size;
      } finally {
        this.settling = null;
      }
    })();
    return this.settling;
  }

  private async settle({ jobId, outcome }: Unsettled): Promise<void> {
    if (outcome.status === "succeeded") await finishJob(jobId, "succeeded", outcome.result, null);
    else if (outcome.status === "failed") await finishJob(jobId, "failed", null, outcome.error);
    else {
      const at = outcome.lost.at.toISOString().slice(11, 19);
      const error = `${outcome.lost.message.replace(/\.$/, "")} at ${at} UTC; it was settled once the database took writes again.`;
      // Another instance may have marked it first (PostgreSQL: its heartbeat went stale); then that one recovers it.
      outcome.job ??= (await markInterrupted({ id: jobId }, error))[0] ?? undefined;
      if (!outcome.job) {
        await releaseGatewayLocks(jobId);
        return;
      }
      if (!outcome.locksReleased) {
        await releaseGatewayLocks(jobId);
        outcome.locksReleased = true;
      }
      logger.warn({ jobId, kind: outcome.job.kind }, "job interrupted: its progress could not be recorded");
      await this.recoverOne(outcome.job, "Its progress could not be recorded, so it stopped working on the routers.");
      return;
    }
    await releaseGatewayLocks(jobId);
  }

  private async requeueCopy(job: InterruptedJob, why: string) {
    const log = async (level: "info" | "warn", message: string) => appendJobLog(job.id, await nextLogSeq(job.id), level, message, null);
    const recent = await countInterruptedJobs(job, new Date(Date.now() - 3_600_000));
    if (recent > MAX_INTERRUPTIONS_PER_HOUR) {
      await log("warn", `${why} Not queued again: the same job was interrupted ${recent} times in the last hour.`);
      return;
    }
    const { kind, targetType, targetId, createdById, createdByName } = job;
    const { id } = await insertJob({ kind, targetType, targetId, params: JSON.parse(job.params), createdById, createdByName });
    // The copy exists: a lost log line must not make a retry queue a second one.
    await log("warn", `${why} It is safe to repeat, so it was queued again as job ${id}.`).catch((e) =>
      logger.warn({ err: e, jobId: job.id }, "could not note the re-queue"),
    );
    await this.opts.onQueued({ id, kind: job.kind });
  }

  private async noteWaiting(jobId: string, gateways: string[]) {
    const holders = (await getGatewayLockHolders(gateways)).filter((h) => h.jobId !== jobId);
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
    let outcome: Outcome;
    const started = performance.now();
    try {
      outcome = await this.runHandler(jobId, kind, def, params, actor);
    } catch (e) {
      // The context could not even be made (the database failed): nothing ran on a router.
      outcome = { status: "interrupted", lost: new ProgressNotRecorded(whyNotRecorded(e), { cause: e }) };
    }
    observeJobDuration(kind, outcome.status, (performance.now() - started) / 1000);
    const entry: Unsettled = { jobId, outcome, since: outcome.status === "interrupted" ? outcome.lost.at : new Date(), attempts: 0 };
    try {
      await this.settle(entry);
    } catch (e) {
      // Kept, and written by settleUnsettled() once the database takes writes again.
      logger.error({ jobId, err: whyNotRecorded(e) }, "could not record a job's outcome: retrying until the database takes writes");
      entry.attempts = 1;
      this.unsettled.set(jobId, entry);
    } finally {
      this.running.delete(jobId);
      this.opts.onFinished();
    }
  }

  private async runHandler(
    jobId: string,
    kind: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    def: JobDefinition<any>,
    params: unknown,
    actor: { id: string | null; username: string },
  ): Promise<Outcome> {
    const halt = new AbortController();
    this.halts.set(jobId, halt);
    try {
      return await this.runWith(await createJobContext(jobId, kind, params, actor, halt), def);
    } finally {
      this.halts.delete(jobId);
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async runWith(ctx: JobContext<any>, def: JobDefinition<any>): Promise<Outcome> {
    const jobId = ctx.jobId;
    const lost = (): Outcome | null =>
      ctx.signal.aborted ? { status: "interrupted", lost: ctx.signal.reason as ProgressNotRecorded } : null;
    try {
      const result = await def.handler(ctx);
      return lost() ?? { status: "succeeded", result };
    } catch (e) {
      const message = ctx.redact(e instanceof JobFailure ? e.message : `Unexpected error: ${e instanceof Error ? e.message : String(e)}`);
      if (lost()) return lost()!;
      if (!(e instanceof JobFailure)) logger.error({ jobId, err: ctx.redact(String(e instanceof Error ? e.stack : e)) }, "job crashed");
      await ctx.log("error", message).catch(() => undefined);
      return lost() ?? { status: "failed", error: message };
    }
  }
}
