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
