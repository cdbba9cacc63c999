// The job contract (documenso-style): a kind, a zod schema for its parameters, the
// gateways it locks, and a handler that reports steps and log lines as it goes.
import type { z } from "zod";

export type JobActor = { id: string | null; username: string };

export interface JobContext<P> {
  readonly jobId: string;
  readonly params: P;
  readonly actor: JobActor;
  /** A line in the job's log (shown live); redacted of every secret added. */
  log(level: "info" | "warn" | "error", message: string, gateway?: string | null): Promise<void>;
  /** Runs fn as a named step: running → ok, or failed with the error's message. */
  step<T>(name: string, gatewayId: string | null, fn: () => Promise<T>): Promise<T>;
  /** Marks a step that did not run to completion for a reason other than failure. */
  note(name: string, gatewayId: string | null, status: "skipped" | "rolled-back", detail?: string): Promise<void>;
  /** Never print this value: replaced in every later log line and step detail. */
  addSecret(secret: string): void;
  /** The text with every added secret replaced. */
  redact(text: string): string;
  /**
   * Aborted (with a ProgressNotRecorded) once a write of this job's log or steps failed:
   * the job can no longer say what it does, so its router sessions refuse further work
   * and the queue settles the job when the database takes writes again.
   */
  readonly signal: AbortSignal;
}

export interface JobDefinition<P> {
  kind: string;
  schema: z.ZodType<P>;
  /** Gateways the job works on; no two jobs hold the same gateway at once. */
  gateways(params: P): Promise<string[]>;
  handler(ctx: JobContext<P>): Promise<unknown>;
  /** Called on start-up for jobs of this kind that an earlier process left running. */
  onInterrupted?(job: { id: string; targetId: string; params: P }): Promise<void>;
  /**
   * Safe to run again from the start (idempotent): when an app instance dies while the
   * job runs, the live instance that notices queues a fresh copy (PostgreSQL mode).
   */
  requeueWhenInterrupted?: boolean;
}

/**
 * Where queued jobs get run: the embedded runner (SQLite, one process) or the pg-boss
 * queue (PostgreSQL, several instances). Job rows stay the record either way.
 */
export interface JobQueue {
  /** Recovers jobs a dead process left running, then takes work. */
  start(): Promise<void>;
  /**
   * Stops taking jobs and waits for the running ones: all of them, or at most timeoutMs
   * (a graceful stop's drain). Resolves with the ids of the jobs still running then,
   * which the next start recovers as interrupted.
   */
  stop(opts?: { timeoutMs?: number }): Promise<{ unfinished: string[] }>;
  /** Look for work now rather than at the next poll. */
  wake(): void;
  /** Waits until the jobs running in this process have finished (tests, scripts). */
  idle(): Promise<void>;
  readonly activeJobIds: string[];
  /** A Job row was just inserted as queued: make sure an instance will run it. */
  dispatch(job: { id: string; kind: string }): Promise<void>;
}

/** An expected failure: its message is shown in the job as is (no stack). */
export class JobFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobFailure";
  }
}

/**
 * A write of the job's own record (log line, step) failed: the database is read-only,
 * full or failing. The job does nothing more on routers; the queue settles it (as
 * interrupted, then recovered like a job cut by a stop) once the database takes writes.
 */
export class ProgressNotRecorded extends Error {
  /** When the job stopped working on routers. */
  readonly at = new Date();
  constructor(
    readonly reason: string,
    options: { cause: unknown },
  ) {
    super(`Gatewarden could not record this job's progress (${reason}), so it stopped working on the routers.`, options);
    this.name = "ProgressNotRecorded";
  }
}
