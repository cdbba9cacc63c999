// PostgreSQL mode with two app instances: two child processes, each running a
// PgBossJobQueue (lib/jobs/test-support/queue-instance.ts) with test-only job kinds, on
// one fresh PostgreSQL database per test. Child processes rather than two queue objects
// in this process: the app's Prisma client and config are process singletons, so two
// in-process queues would share a connection pool and state; and only a real process
// can be killed with SIGKILL mid-job (no graceful stop, no finally blocks, sockets cut).
// This process only enqueues (Job row + pg-boss message) and reads the rows.
// Needs scripts/pg-setup.sh; without PostgreSQL it fails on purpose (CI runs it).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freshPgDatabase, type TempPgDatabase } from "@/e2e/support/pg-db";
import type { TestSleepParams, TestSleepResult } from "@/lib/jobs/test-support/test-job-kinds";

const root = path.resolve(import.meta.dirname, "../..");
const instanceScript = path.join(root, "lib/jobs/test-support/queue-instance.ts");

type Instance = { id: string; proc: ChildProcess; log: string[]; exited: Promise<void> };

let database: TempPgDatabase;
let instances: Instance[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let producer: any;

beforeEach(async () => {
  database = await freshPgDatabase("gatewarden_jobs_test");
  // A fresh module graph bound to this test's database (getEnv and getDb are per process).
  process.env.DATABASE_URL = database.url;
  process.env.LOG_LEVEL = "warn";
  vi.resetModules();
  delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
  const { PgBossJobQueue } = await import("@/lib/jobs/pg-boss-queue");
  const { testJobDefinitions } = await import("@/lib/jobs/test-support/test-job-kinds");
  producer = new PgBossJobQueue({
    owner: "test-producer",
    connectionString: database.url,
    concurrency: 0,
    pollMs: 1000,
    heartbeatMs: 1000,
    staleMs: 2500,
    definitions: testJobDefinitions("test-producer"),
  });
});

afterEach(async () => {
  for (const i of instances) i.proc.kill("SIGKILL");
  await Promise.all(instances.map((i) => i.exited));
  instances = [];
  await producer?.stop();
  const { getDb } = await import("@/lib/db/client");
  await getDb().$disconnect();
  delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
  await database.drop();
});

async function startInstance(id: string, concurrency: number): Promise<Instance> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", instanceScript], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      GATEWARDEN_TEST_INSTANCE: id,
      GATEWARDEN_TEST_CONCURRENCY: String(concurrency),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const instance = { id, proc, log, exited };
  instances.push(instance);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${id} not ready:\n${log.join("")}`)), 60_000);
    proc.stderr!.on("data", (d) => log.push(String(d)));
    proc.stdout!.on("data", (d) => {
      log.push(String(d));
      if (String(d).includes(`{"ready":"${id}"}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    // Not awaited: it settles only if the instance dies before it is ready, failing the start.
    void exited.then(() => reject(new Error(`instance ${id} exited:\n${log.join("")}`)));
  });
  return instance;
}

async function stopGracefully(i: Instance) {
  i.proc.kill("SIGTERM");
  await i.exited;
}

async function enqueue(kind: string, params: TestSleepParams): Promise<string> {
  const { enqueueWith } = await import("@/lib/jobs/enqueue");
  const { testJobDefinitions } = await import("@/lib/jobs/test-support/test-job-kinds");
  return enqueueWith(producer, testJobDefinitions("test-producer"), {
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

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${instances.map((i) => `--- ${i.id}\n${i.log.join("")}`).join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function finished(ids: string[]) {
  return until(`${ids.length} jobs to finish`, async () => {
    const jobs = await (await db()).job.findMany({ where: { id: { in: ids } }, include: { logs: { orderBy: { seq: "asc" } } } });
    return jobs.every((j) => !["queued", "running"].includes(j.status)) && jobs;
  });
}

const resultOf = (job: { result: string | null }) => JSON.parse(job.result!) as TestSleepResult;
const ranLines = (job: { logs: { message: string }[] }) => job.logs.filter((l) => / ran on /.test(l.message));

function expectNoOverlap(jobs: { result: string | null }[]) {
  const runs = jobs.map(resultOf).sort((a, b) => a.startedAt - b.startedAt);
  for (let k = 1; k < runs.length; k++) expect(runs[k]!.startedAt, JSON.stringify(runs)).toBeGreaterThanOrEqual(runs[k - 1]!.endedAt);
}

/** pg-boss messages not yet done: a lost job would show here as a row still queued with none. */
async function openMessages() {
  const rows = await (await db()).$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM pgboss.job WHERE state < 'completed'`);
  return Number(rows[0]!.n);
}

describe("two instances on one PostgreSQL database (pg-boss)", () => {
  it("50 jobs: each runs exactly once, and both instances do work", async () => {
    await Promise.all([startInstance("A", 4), startInstance("B", 4)]);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await enqueue("test-sleep", { gateway: `gw-${i}`, ms: 100 }));
    const jobs = await finished(ids);

    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => "succeeded"));
    for (const job of jobs) {
      expect(ranLines(job)).toHaveLength(1);
      expect(resultOf(job).instance).toBe(job.owner);
    }
    const perInstance = { A: jobs.filter((j) => j.owner === "A").length, B: jobs.filter((j) => j.owner === "B").length };
    console.log(`50 jobs ran on: ${JSON.stringify(perInstance)}`);
    expect(perInstance.A + perInstance.B).toBe(50);
    expect(perInstance.A).toBeGreaterThan(0);
    expect(perInstance.B).toBeGreaterThan(0);
    await until("every pg-boss message done", async () => (await openMessages()) === 0, 30_000);
  });

  it("a job on a busy gateway waits for the other instance's job: GatewayLock rows hold across instances", async () => {
    // One slot each: while X runs the long job it fetches nothing, so only Y can try the short ones.
    await Promise.all([startInstance("A", 1), startInstance("B", 1)]);
    const d = await db();
    const longId = await enqueue("test-sleep", { gateway: "shared", ms: 3000 });
    // Its handler started (a claimed job is "running" a moment before it has its locks).
    const holder = await until("the long job to run", async () => {
      const line = await d.jobLog.findFirst({ where: { jobId: longId, message: { contains: " ran on " } } });
      return line?.message.slice(-1);
    });
    const other = holder === "A" ? "B" : "A";
    const shortIds: string[] = [];
    for (let i = 0; i < 4; i++) shortIds.push(await enqueue("test-sleep", { gateway: "shared", ms: 100 }));

    // While the long job runs, the lock row is its and no short job's handler starts. (A
    // short job may show "running" for an instant: claimed, refused the lock, queued again.)
    for (;;) {
      const lock = await d.gatewayLock.findUnique({ where: { gatewayId: "shared" } });
      const started = await d.jobLog.count({ where: { jobId: { in: shortIds }, message: { contains: " ran on " } } });
      if ((await d.job.findUnique({ where: { id: longId } }))!.status !== "running") break;
      expect(lock).toMatchObject({ jobId: longId, owner: holder });
      expect(started).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
    }

    const jobs = await finished([longId, ...shortIds]);
    expect(jobs.map((j) => j.status)).toEqual(jobs.map(() => "succeeded"));
    expectNoOverlap(jobs);
    // The other instance did try them while the long job held the gateway, and waited.
    const waits = jobs.flatMap((j) => j.logs).filter((l) => l.message.includes(`shared (job ${longId} on ${holder})`));
    expect(waits.some((l) => l.message.includes(`checked by ${other}`))).toBe(true);
    for (const job of jobs) expect(ranLines(job)).toHaveLength(1);
  });

  it("24 jobs on 3 gateways over two instances never overlap on a gateway", async () => {
    await Promise.all([startInstance("A", 3), startInstance("B", 3)]);
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push(await enqueue("test-sleep", { gateway: `g${i % 3}`, ms: 120 }));
    const jobs = await finished(ids);
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => "succeeded"));
    for (const g of ["g0", "g1", "g2"]) expectNoOverlap(jobs.filter((j) => j.targetId === g));
    for (const job of jobs) expect(ranLines(job)).toHaveLength(1);
    const perInstance = { A: jobs.filter((j) => j.owner === "A").length, B: jobs.filter((j) => j.owner === "B").length };
    console.log(`24 jobs on 3 gateways ran on: ${JSON.stringify(perInstance)}`);
    expect(perInstance.A).toBeGreaterThan(0);
    expect(perInstance.B).toBeGreaterThan(0);
  });

  it("an instance killed mid-job: the other interrupts and re-queues or recovers its jobs, and runs the ones it had fetched", async () => {
    const d = await db();
    const a = await startInstance("A", 5);
    // Long on A only: a re-queued copy that lands on B finishes quickly.
    const deployLike = await enqueue("test-sleep", { gateway: "c1", ms: 100, slowOn: "A", slowMs: 600_000 });
    const rotateLike = await enqueue("test-recoverable", { gateway: "c2", ms: 100, slowOn: "A", slowMs: 600_000 });
    await until(
      "both to run on A",
      async () => (await d.job.count({ where: { id: { in: [deployLike, rotateLike] }, status: "running", owner: "A" } })) === 2,
    );
    // Fetched by A (its three free slots, one batch: the messages go in together), which
    // then hangs before claiming them.
    const { insertJob } = await import("@/lib/db/jobs");
    const fetched: string[] = [];
    for (let i = 0; i < 3; i++) {
      const params = { gateway: `c-fetched-${i}`, ms: 100, stallOn: "A" };
      fetched.push(
        (
          await insertJob({
            kind: "test-sleep",
            targetType: "gateway",
            targetId: params.gateway,
            params,
            createdById: null,
            createdByName: "test",
          })
        ).id,
      );
    }
    await producer.dispatchAll(fetched.map((id) => ({ id, kind: "test-sleep" })));
    await until("A to hold their messages", async () => {
      const rows = await d.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM pgboss.job WHERE state = 'active' AND data->>'jobId' = ANY($1)`,
        fetched,
      );
      return Number(rows[0]!.n) === 3;
    });
    expect(await d.job.count({ where: { id: { in: fetched }, status: "queued" } })).toBe(3);

    a.proc.kill("SIGKILL");
    await a.exited;
    await startInstance("B", 4);

    // The jobs A had fetched but not claimed: run by B, once.
    const picked = await finished(fetched);
    for (const job of picked) {
      expect(job.status).toBe("succeeded");
      expect(job.owner).toBe("B");
      expect(ranLines(job)).toHaveLength(1);
    }

    // The deploy-like job: interrupted once its heartbeat is stale, a copy queued and run on B
    // (once A's lock on c1 has expired: nobody releases a lock of a stale instance).
    const interrupted = (await finished([deployLike]))[0]!;
    expect(interrupted.status).toBe("interrupted");
    expect(ranLines(interrupted).map((l) => l.message)).toEqual(["test-sleep ran on A"]);
    // The status flips first; the line naming the copy is written just after it.
    const copyId = await until("the line naming the re-queued copy", async () => {
      const lines = await d.jobLog.findMany({ where: { jobId: deployLike }, select: { message: true } });
      return /queued again as job (\S+)\./.exec(lines.map((l) => l.message).join("\n"))?.[1];
    });
    const copy = (await finished([copyId!]))[0]!;
    expect(copy).toMatchObject({ status: "succeeded", owner: "B", kind: "test-sleep", targetId: "c1", params: interrupted.params });
    expect(ranLines(copy).map((l) => l.message)).toEqual(["test-sleep ran on B"]);

    // The rotate-like job: interrupted, its onInterrupted inserted a recovery row (no message), B ran it.
    expect((await finished([rotateLike]))[0]!.status).toBe("interrupted");
    const recovery = await until("the recovery job", () =>
      d.job.findFirst({ where: { kind: "test-recover", targetId: rotateLike } }).then((j) => j ?? undefined),
    );
    expect((await finished([recovery.id]))[0]).toMatchObject({ status: "succeeded", owner: "B" });
    expect(await d.job.count({ where: { kind: "test-recover" } })).toBe(1);
    expect(await d.job.count({ where: { kind: "test-sleep", targetId: "c1" } })).toBe(2);

    // A's fetched messages expire and are retried by pg-boss: they find no queued row, nothing runs twice.
    await until("every pg-boss message done", async () => (await openMessages()) === 0, 60_000);
    const all = await (await db()).job.findMany({ include: { logs: true } });
    for (const job of all) expect(ranLines(job).length, job.id).toBeLessThanOrEqual(1);
  });

  it("a graceful stop finishes the running jobs, heartbeating them, and leaves queued work to the other instance", async () => {
    const [a] = await Promise.all([startInstance("A", 2), startInstance("B", 2)]);
    const ids: string[] = [];
    // On A a job outlasts the stale limit (2.5 s): only its heartbeats keep B from taking it over.
    for (let i = 0; i < 8; i++) ids.push(await enqueue("test-sleep", { gateway: `s${i}`, ms: 200, slowOn: "A", slowMs: 4000 }));
    const d = await db();
    await until(
      "A to run a job",
      async () => (await d.jobLog.count({ where: { jobId: { in: ids }, message: "test-sleep ran on A" } })) > 0,
    );
    await stopGracefully(a!);
    const jobs = await finished(ids);
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => "succeeded"));
    for (const job of jobs) expect(ranLines(job)).toHaveLength(1);
    expect(jobs.some((j) => j.owner === "A")).toBe(true);
    expect(await d.job.count()).toBe(8); // nothing re-queued
  });
});
