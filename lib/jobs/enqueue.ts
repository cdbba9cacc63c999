// Queuing a job: validate its parameters against its kind, insert the queued Job row
// (the record the UI follows from here on), and hand it to the queue.
import "server-only";
import { insertJob } from "@/lib/db/jobs";
import { logger } from "@/lib/log/logger";
import { AppError } from "@/lib/errors";
import type { JobActor, JobDefinition, JobQueue } from "@/lib/jobs/types";

export type EnqueueInput = { kind: string; targetType: string; targetId: string; params: unknown; actor: JobActor };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function enqueueWith(queue: JobQueue, definitions: JobDefinition<any>[], input: EnqueueInput): Promise<string> {
  const def = definitions.find((d) => d.kind === input.kind);
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
  // The row is queued whatever happens next: if the message cannot be sent, the queue's
  // sweep finds the row, so the caller still gets the job id to follow.
  await queue
    .dispatch({ id, kind: input.kind })
    .catch((e) => logger.error({ err: e, jobId: id }, "could not hand a queued job to the queue"));
  return id;
}
