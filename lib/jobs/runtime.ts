// The process's job queue and the way to queue work. Started once from
// instrumentation (lib/startup.ts); actions call enqueueJob and return the job id.
// SQLite: the embedded runner (one process). PostgreSQL: the pg-boss queue, so several
// instances can share the database and the work.
import "server-only";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { getEnv } from "@/lib/config/env";
import { JobRunner } from "@/lib/jobs/runner";
import { PgBossJobQueue } from "@/lib/jobs/pg-boss-queue";
import { jobDefinitions } from "@/lib/jobs/definitions";
import { enqueueWith, type EnqueueInput } from "@/lib/jobs/enqueue";
import type { JobQueue } from "@/lib/jobs/types";
import { appendJobLog, nextLogSeq } from "@/lib/db/jobs";
import { logger } from "@/lib/log/logger";

const globalForJobs = globalThis as unknown as { gatewardenJobRunner?: JobQueue };

export const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

function createJobQueue(): JobQueue {
  const env = getEnv();
  const common = { owner: instanceId, concurrency: 8, pollMs: 1000, heartbeatMs: 5000, staleMs: 30_000, definitions: jobDefinitions() };
  if (env.databaseKind === "postgres") return new PgBossJobQueue({ ...common, connectionString: env.databaseUrl });
  return new JobRunner({ ...common, singleInstance: true });
}

export function getJobRunner(): JobQueue {
  globalForJobs.gatewardenJobRunner ??= createJobQueue();
  return globalForJobs.gatewardenJobRunner;
}

export async function enqueueJob(input: EnqueueInput): Promise<string> {
  return enqueueWith(getJobRunner(), jobDefinitions(), input);
}

/**
 * A graceful stop's part for jobs: take no new ones, let the running ones finish for at
 * most timeoutMs, and say in each job still running then that the stop cut it and what
 * follows (the next start recovers it). Returns the ids of those jobs.
 */
export async function drainJobQueue(timeoutMs: number): Promise<string[]> {
  const queue = getJobRunner();
  const running = queue.activeJobIds.length;
  if (running) logger.info({ running, drainSeconds: timeoutMs / 1000 }, "stopping: no new jobs; waiting for the running ones to finish");
  const { unfinished } = await queue.stop({ timeoutMs });
  for (const jobId of unfinished) {
    logger.warn({ jobId }, "stopping: job still running after the drain time; the next start resumes or recovers it");
    const message = `Gatewarden stopped after waiting ${timeoutMs / 1000} s for this job to finish. When it starts again, it marks the job interrupted and resumes it (a deploy or teardown runs again from the start; a rotation is settled by its recovery job).`;
    await appendJobLog(jobId, await nextLogSeq(jobId), "warn", message, null).catch(() => undefined);
  }
  if (running && !unfinished.length) logger.info("stopping: every running job finished");
  return unfinished;
}
