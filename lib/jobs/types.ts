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
}

export interface JobDefinition<P> {
  kind: string;
  schema: z.ZodType<P>;
  /** Gateways the job works on; no two jobs hold the same gateway at once. */
  gateways(params: P): Promise<string[]>;
  handler(ctx: JobContext<P>): Promise<unknown>;
  /** Called on start-up for jobs of this kind that an earlier process left running. */
  onInterrupted?(job: { id: string; targetId: string; params: P }): Promise<void>;
}

/** An expected failure: its message is shown in the job as is (no stack). */
export class JobFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobFailure";
  }
}
