// The process's job runner and the way to queue work. Started once from
// instrumentation (lib/startup.ts); actions call enqueueJob and return the job id.
import "server-only";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { getEnv } from "@/lib/config/env";
import { insertJob } from "@/lib/db/jobs";
import { JobRunner } from "@/lib/jobs/runner";
import { jobDefinitions } from "@/lib/jobs/definitions";
import type { JobActor } from "@/lib/jobs/types";
import { AppError } from "@/lib/errors";

const globalForJobs = globalThis as unknown as { gatewardenJobRunner?: JobRunner };

export const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

export function getJobRunner(): JobRunner {
  globalForJobs.gatewardenJobRunner ??= new JobRunner({
    owner: instanceId,
    concurrency: 8,
    pollMs: 1000,
    heartbeatMs: 5000,
    staleMs: 30_000,
    singleInstance: getEnv().databaseKind === "sqlite",
    definitions: jobDefinitions(),
  });
  return globalForJobs.gatewardenJobRunner;
}

export async function enqueueJob(input: { kind: string; targetType: string; targetId: string; params: unknown; actor: JobActor }): Promise<string> {
  const def = jobDefinitions().find((d) => d.kind === input.kind);
  if (!def) throw new AppError("unknown_job", `Unknown job kind ${input.kind}`);
  const params = def.schema.parse(input.params);
  const { id } = await insertJob({
    kind: input.kind,
    targetType: input.targetType,
    targetId: input.targetId,
    params,
    createdById: input.actor.id,
    createdByName: input.actor.username,
  });
  getJobRunner().wake();
  return id;
}
