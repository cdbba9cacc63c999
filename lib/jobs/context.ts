// The JobContext given to a running handler: steps and log lines go to the
// database at once (the job page follows them live) with secrets redacted.
import "server-only";
import { appendJobLog, nextLogSeq, upsertStep } from "@/lib/db/jobs";
import { redactSecrets } from "@/lib/secrets/redact";
import { logger } from "@/lib/log/logger";
import type { JobActor, JobContext } from "@/lib/jobs/types";

export async function createJobContext<P>(jobId: string, kind: string, params: P, actor: JobActor): Promise<JobContext<P>> {
  const secrets: string[] = [];
  let logSeq = (await nextLogSeq(jobId)) - 1;
  let stepSeq = 0;
  const clean = (text: string) => (secrets.length ? redactSecrets(text, secrets) : text);

  return {
    jobId,
    params,
    actor,
    redact: clean,
    addSecret(secret) {
      if (secret && !secrets.includes(secret)) secrets.push(secret);
    },
    async log(level, message, gateway = null) {
      const text = clean(message);
      const seq = ++logSeq;
      logger[level === "error" ? "error" : level === "warn" ? "warn" : "info"]({ jobId, kind, gateway }, text);
      await appendJobLog(jobId, seq, level, text, gateway);
    },
    async step(name, gatewayId, fn) {
      const seq = ++stepSeq;
      await upsertStep(jobId, seq, { name, gatewayId, status: "running" });
      try {
        const result = await fn();
        await upsertStep(jobId, seq, { name, gatewayId, status: "ok" });
        return result;
      } catch (e) {
        await upsertStep(jobId, seq, { name, gatewayId, status: "failed", detail: clean(e instanceof Error ? e.message : String(e)) });
        throw e;
      }
    },
    async note(name, gatewayId, status, detail) {
      await upsertStep(jobId, ++stepSeq, { name, gatewayId, status, detail: detail ? clean(detail) : null });
    },
  };
}
