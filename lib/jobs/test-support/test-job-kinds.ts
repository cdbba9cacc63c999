// Job kinds for the queue tests only (no SSH, no inventory): each handler says which
// instance ran it and when, so tests can check exactly-once and per-gateway exclusion.
// Parameters steer one instance into the situations a test needs: slowOn (the handler
// runs long there, so the instance can be killed mid-job) and stallOn (it hangs before
// claiming, so a fetched message is left unclaimed by an instance that then dies).
import "server-only";
import { z } from "zod";
import { insertJob } from "@/lib/db/jobs";
import type { JobDefinition } from "@/lib/jobs/types";

export const testSleepParams = z.object({
  gateway: z.string().min(1),
  ms: z.number().int().min(0),
  slowOn: z.string().optional(),
  slowMs: z.number().int().min(0).optional(),
  stallOn: z.string().optional(),
  /** Epoch ms before which the job must not start. */
  notBefore: z.number().int().optional(),
});
export type TestSleepParams = z.infer<typeof testSleepParams>;
export type TestSleepResult = { instance: string; startedAt: number; endedAt: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sleeper(kind: string, instance: string): JobDefinition<TestSleepParams> {
  return {
    kind,
    schema: testSleepParams,
    notBefore: (p) => (p.notBefore === undefined ? null : new Date(p.notBefore)),
    async gateways(p) {
      if (p.stallOn === instance) await sleep(600_000);
      return [p.gateway];
    },
    async handler(ctx): Promise<TestSleepResult> {
      const startedAt = Date.now();
      await ctx.log("info", `${kind} ran on ${instance}`);
      await sleep(ctx.params.slowOn === instance ? (ctx.params.slowMs ?? 0) : ctx.params.ms);
      return { instance, startedAt, endedAt: Date.now() };
    },
  };
}

/** test-sleep is re-queued when interrupted (like deploy); test-recoverable queues a test-recover row (like rotate). */
export function testJobDefinitions(instance: string): JobDefinition<TestSleepParams>[] {
  return [
    { ...sleeper("test-sleep", instance), requeueWhenInterrupted: true },
    {
      ...sleeper("test-recoverable", instance),
      // As rotation does: a plain row insert, no message; the queue's sweep must find it.
      async onInterrupted(job) {
        await insertJob({
          kind: "test-recover",
          targetType: "job",
          targetId: job.id,
          params: { gateway: job.params.gateway, ms: 0 },
          createdById: null,
          createdByName: "system (restart)",
        });
      },
    },
    sleeper("test-recover", instance),
  ];
}
