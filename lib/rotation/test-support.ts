// For integration tests and the interruption benchmark: run deploy/rotate jobs the
// way the app does (through the queue), or run the rotation engine directly with
// hooks (interruption meter, crash seam) inside a real job row and context.
import type { JobActor } from "@/lib/jobs/types";
import type { RotationHooks, TunnelOutcome } from "@/lib/rotation/rotation-outcome";
import type { ConnectGateway } from "@/lib/deploy/connect";

export async function waitForJob(id: string, timeoutMs = 180_000) {
  const { getJob } = await import("@/lib/db/jobs");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(id);
    if (job && !["queued", "running"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Queues a job and waits for it; starts the process's runner if it is not running. */
export async function runTunnelJob(actor: JobActor, kind: "deploy" | "teardown", tunnelId: string) {
  const { enqueueJob, getJobRunner } = await import("@/lib/jobs/runtime");
  const runner = getJobRunner() as unknown as { __started?: boolean; start(): Promise<void> };
  if (!runner.__started) {
    runner.__started = true;
    await runner.start();
  }
  return waitForJob(await enqueueJob({ kind, targetType: "tunnel", targetId: tunnelId, params: { tunnelId }, actor }));
}

/** The rotate job's engine, run directly (with hooks) in a claimed job row. */
export async function runRotation(
  actor: JobActor,
  tunnelIds: string[],
  hooks: RotationHooks = {},
  connect?: ConnectGateway,
): Promise<{ jobId: string; outcomes: TunnelOutcome[] }> {
  const { insertJob, claimJob, finishJob } = await import("@/lib/db/jobs");
  const { createJobContext } = await import("@/lib/jobs/context");
  const { rotateTunnelSet } = await import("@/lib/rotation/rotate-psks");
  const { connectGatewayForJob } = await import("@/lib/deploy/connect");
  const params = { tunnelIds };
  const { id } = await insertJob({
    kind: "rotate",
    targetType: "tunnel",
    targetId: tunnelIds[0]!,
    params,
    createdById: actor.id,
    createdByName: actor.username,
  });
  await claimJob(id, "test-support");
  const ctx = await createJobContext(id, "rotate", params, actor);
  const outcomes = await rotateTunnelSet(ctx, connect ?? connectGatewayForJob, hooks);
  await finishJob(id, outcomes.every((o) => o.result === "rotated") ? "succeeded" : "failed", outcomes, null);
  return { jobId: id, outcomes };
}
