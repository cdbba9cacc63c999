// The embedded runner of SQLite mode (one process), with the test-only job kinds:
// every job runs exactly once within the concurrency limit, jobs on one gateway never
// overlap, and at start-up the jobs an earlier process left running are interrupted
// (their locks freed; onInterrupted recovery queued; a kind safe to repeat queued again).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";
import type { TestSleepParams, TestSleepResult } from "@/lib/jobs/test-support/test-job-kinds";
import type { JobRunner } from "@/lib/jobs/runner";

const OWNER = "embedded";
let runner: JobRunner;

beforeAll(async () => {
  process.env.DATABASE_URL = ""; // SQLite whatever the environment says (not unset: dotenv would fill it)
  await freshAppDatabase();
});

afterAll(async () => {
  await runner?.stop();
});

async function newRunner(concurrency: number) {
  const { JobRunner } = await import("@/lib/jobs/runner");
  const { testJobDefinitions } = await import("@/lib/jobs/test-support/test-job-kinds");
  return new JobRunner({
    owner: OWNER,
    concurrency,
    pollMs: 100,
    heartbeatMs: 500,
    staleMs: 5000,
    singleInstance: true,
    definitions: testJobDefinitions(OWNER),
  });
}

async function enqueue(kind: string, params: TestSleepParams) {
  const { enqueueWith } = await import("@/lib/jobs/enqueue");
  const { testJobDefinitions } = await import("@/lib/jobs/test-support/test-job-kinds");
  return enqueueWith(runner, testJobDefinitions(OWNER), {
    kind,
    targetType: "gateway",
    targetId: params.gateway,
    params,
    actor: { id: null, username: "test" },
  });
}

async function db() {
  return (await import("@/lib/db/client")).getDb();
}

async function finished(ids: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await (await db()).job.findMany({ where: { id: { in: ids } }, include: { logs: true } });
    if (jobs.length === ids.length && jobs.every((j) => !["queued", "running"].includes(j.status))) return jobs;
    if (Date.now() > deadline)
      throw new Error(`jobs still running: ${jobs.filter((j) => ["queued", "running"].includes(j.status)).length}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const runOf = (job: { result: string | null }) => JSON.parse(job.result!) as TestSleepResult;
const ranLines = (job: { logs: { message: string }[] }) => job.logs.filter((l) => / ran on /.test(l.message));

describe("embedded job runner (SQLite)", () => {
  it("30 jobs run exactly once, never more than `concurrency` at a time", async () => {
    runner = await newRunner(4);
    await runner.start();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await enqueue("test-sleep", { gateway: `gw-${i}`, ms: 80 }));
    const jobs = await finished(ids);
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => "succeeded"));
    for (const job of jobs) expect(ranLines(job)).toHaveLength(1);
    const runs = jobs.map(runOf);
    const mostAtOnce = Math.max(...runs.map((r) => runs.filter((o) => o.startedAt <= r.startedAt && o.endedAt > r.startedAt).length));
    expect(mostAtOnce).toBeLessThanOrEqual(4);
    expect(mostAtOnce).toBeGreaterThan(1);
  });

  it("jobs on one gateway never overlap", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await enqueue("test-sleep", { gateway: "shared", ms: 60 }));
    const runs = (await finished(ids)).map(runOf).sort((a, b) => a.startedAt - b.startedAt);
    for (let k = 1; k < runs.length; k++) expect(runs[k]!.startedAt).toBeGreaterThanOrEqual(runs[k - 1]!.endedAt);
    await runner.stop();
  });

  it("at start-up, jobs a dead process left running are interrupted, their gateways freed, recovered per kind", async () => {
    // What a process killed mid-job leaves behind: running rows with a fresh heartbeat, and their locks.
    const d = await db();
    const left = async (kind: string, gateway: string) => {
      const job = await d.job.create({
        data: {
          kind,
          status: "running",
          targetType: "gateway",
          targetId: gateway,
          params: JSON.stringify({ gateway, ms: 50 }),
          createdByName: "test",
          owner: "dead",
          startedAt: new Date(),
          heartbeatAt: new Date(),
        },
      });
      await d.gatewayLock.create({
        data: { gatewayId: gateway, jobId: job.id, owner: "dead", expiresAt: new Date(Date.now() + 3_600_000) },
      });
      return job.id;
    };
    const sleepId = await left("test-sleep", "r1");
    const recoverableId = await left("test-recoverable", "r2");
    const { insertJob } = await import("@/lib/db/jobs");
    const waiting = (
      await insertJob({
        kind: "test-sleep",
        targetType: "gateway",
        targetId: "r1",
        params: { gateway: "r1", ms: 50 },
        createdById: null,
        createdByName: "test",
      })
    ).id;

    runner = await newRunner(2);
    await runner.start();
    expect((await d.job.findUnique({ where: { id: sleepId } }))!.status).toBe("interrupted");
    expect((await d.job.findUnique({ where: { id: recoverableId } }))!.status).toBe("interrupted");
    expect(await d.gatewayLock.count({ where: { owner: "dead" } })).toBe(0);

    // The job waiting on r1 runs now that the dead job's lock is gone; the recovery runs; the
    // interrupted test-sleep (safe to repeat, like a deploy) runs again as a fresh copy.
    const recovery = (await d.job.findFirst({ where: { kind: "test-recover", targetId: recoverableId } }))!;
    const copy = (await d.job.findFirst({ where: { kind: "test-sleep", targetId: "r1", id: { notIn: [sleepId, waiting] } } }))!;
    const jobs = await finished([waiting, recovery.id, copy.id]);
    expect(jobs.map((j) => j.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const sleepLog = await d.jobLog.findMany({ where: { jobId: sleepId } });
    expect(sleepLog.map((l) => l.message)).toContain(
      `Instance dead stopped while this job ran. It is safe to repeat, so it was queued again as job ${copy.id}.`,
    );
    await runner.stop();
  });
});
