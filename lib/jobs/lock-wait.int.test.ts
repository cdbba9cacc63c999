// A job that waits for a busy gateway stays "queued" the whole time (it used to be
// claimed as "running", then put back, over and over: the UI flickered), and a job
// scheduled for later (a recovery's backoff) is not started before it is due.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";
import type { TestSleepParams, TestSleepResult } from "@/lib/jobs/test-support/test-job-kinds";
import type { JobRunner } from "@/lib/jobs/runner";

const OWNER = "h-stuck-lockwait";
let runner: JobRunner;

beforeAll(async () => {
  process.env.DATABASE_URL = ""; // SQLite whatever the environment says
  await freshAppDatabase();
  const { JobRunner } = await import("@/lib/jobs/runner");
  const { testJobDefinitions } = await import("@/lib/jobs/test-support/test-job-kinds");
  runner = new JobRunner({
    owner: OWNER,
    concurrency: 4,
    pollMs: 20,
    heartbeatMs: 500,
    staleMs: 5000,
    singleInstance: true,
    definitions: testJobDefinitions(OWNER),
  });
  await runner.start();
});

afterAll(async () => {
  await runner?.stop();
});

async function enqueue(params: TestSleepParams) {
  const { enqueueWith } = await import("@/lib/jobs/enqueue");
  const { testJobDefinitions } = await import("@/lib/jobs/test-support/test-job-kinds");
  return enqueueWith(runner, testJobDefinitions(OWNER), {
    kind: "test-sleep",
    targetType: "gateway",
    targetId: params.gateway,
    params,
    actor: { id: null, username: "test" },
  });
}

const db = async () => (await import("@/lib/db/client")).getDb();

/** Every status the row shows while `until` is pending, read as fast as the database answers. */
async function watchStatus(id: string, until: () => boolean) {
  const seen: { status: string; at: number }[] = [];
  while (!until()) {
    const j = await (await db()).job.findUnique({ where: { id }, select: { status: true } });
    seen.push({ status: j!.status, at: Date.now() });
    await new Promise((r) => setTimeout(r, 2));
  }
  return seen;
}

async function finished(id: string) {
  for (;;) {
    const j = await (await db()).job.findUnique({ where: { id } });
    if (j && !["queued", "running"].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("waiting jobs (h-stuck)", () => {
  it("a job waiting for a gateway lock stays queued until the lock is free, never flickering to running", async () => {
    const first = await enqueue({ gateway: "shared", ms: 1500 });
    // The first job holds the gateway before the second is queued.
    while ((await (await db()).job.findUnique({ where: { id: first } }))!.status !== "running") await new Promise((r) => setTimeout(r, 10));
    const second = await enqueue({ gateway: "shared", ms: 10 });
    let firstDone = false;
    const done = finished(first).then((j) => ((firstDone = true), j));
    const seen = await watchStatus(second, () => firstDone);
    const firstRun = JSON.parse((await done).result!) as TestSleepResult;
    // The runner polls every 20 ms for 1.5 s: dozens of attempts to start it, each refused.
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.filter((s) => s.at < firstRun.endedAt && s.status !== "queued")).toEqual([]);
    expect((await finished(second)).status).toBe("succeeded");
  });

  it("a job scheduled for later is not claimed before its time, then runs", async () => {
    const due = Date.now() + 1500;
    const id = await enqueue({ gateway: "later", ms: 0, notBefore: due });
    const seen = await watchStatus(id, () => Date.now() > due - 100);
    expect(seen.every((s) => s.status === "queued")).toBe(true);
    const job = await finished(id);
    expect(job.status).toBe("succeeded");
    expect(job.startedAt!.getTime()).toBeGreaterThanOrEqual(due);
  });
});
