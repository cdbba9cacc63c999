// The JobContext given to a running handler: steps and log lines go to the
// database at once (the job page follows them live) with secrets redacted. When one of
// those writes fails, the job has lost its record: the context's signal is aborted, and
// every router session of the job refuses further work (lib/deploy/connect.ts).
import "server-only";
import { appendJobLog, nextLogSeq, upsertStep } from "@/lib/db/jobs";
import { storageFailureCode } from "@/lib/db/errors";
import { redactSecrets } from "@/lib/secrets/redact";
import { logger } from "@/lib/log/logger";
import { ProgressNotRecorded, type JobActor, type JobContext } from "@/lib/jobs/types";

/** A short reason for a failed write of a job's record. */
export function whyNotRecorded(e: unknown): string {
  const code = storageFailureCode(e);
  if (code) return `the database cannot be written: ${code}`;
  return `writing to the database failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
}

/**
 * `halt` lets the queue stop the job too: its heartbeat, which writes every few seconds,
 * may find the database refusing writes while the handler is in a stretch that logs nothing.
 */
export async function createJobContext<P>(
  jobId: string,
  kind: string,
  params: P,
  actor: JobActor,
  halt = new AbortController(),
): Promise<JobContext<P>> {
  const secrets: string[] = [];
  let logSeq = (await nextLogSeq(jobId)) - 1;
  let stepSeq = 0;
  const clean = (text: string) => (secrets.length ? redactSecrets(text, secrets) : text);

  /** Writes a piece of the job's record; the first failure halts the job, and later writes are not tried. */
  async function record(write: () => Promise<void>): Promise<void> {
    halt.signal.throwIfAborted();
    try {
      await write();
    } catch (e) {
      const lost = new ProgressNotRecorded(whyNotRecorded(e), { cause: e });
      logger.error({ jobId, kind, err: lost.reason }, "job progress could not be recorded: the job stops working on routers");
      halt.abort(lost);
      throw lost;
    }
  }

  return {
    jobId,
    params,
    actor,
    signal: halt.signal,
    redact: clean,
    addSecret(secret) {
      if (secret && !secrets.includes(secret)) secrets.push(secret);
    },
    async log(level, message, gateway = null) {
      const text = clean(message);
      const seq = ++logSeq;
      logger[level === "error" ? "error" : level === "warn" ? "warn" : "info"]({ jobId, kind, gateway }, text);
      await record(() => appendJobLog(jobId, seq, level, text, gateway));
    },
    async step(name, gatewayId, fn) {
      const seq = ++stepSeq;
      await record(() => upsertStep(jobId, seq, { name, gatewayId, status: "running" }));
      try {
        const result = await fn();
        await record(() => upsertStep(jobId, seq, { name, gatewayId, status: "ok" }));
        return result;
      } catch (e) {
        if (!halt.signal.aborted) {
          const detail = clean(e instanceof Error ? e.message : String(e));
          await record(() => upsertStep(jobId, seq, { name, gatewayId, status: "failed", detail }));
        }
        throw e;
      }
    },
    async note(name, gatewayId, status, detail) {
      const seq = ++stepSeq;
      await record(() => upsertStep(jobId, seq, { name, gatewayId, status, detail: detail ? clean(detail) : null }));
    },
  };
}
