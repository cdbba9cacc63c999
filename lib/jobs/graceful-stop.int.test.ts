// A graceful stop of the real server (issue 13, item 3): `node scripts/start.mjs` with its
// own data directory and port, a deploy to real lab routers (sshd + strongSwan in network
// namespaces) run by the server's job runner, and SIGTERM while the deploy applies.
// - Within the drain time the deploy finishes: the job succeeded, the tunnel is up and
//   the database says deployed; a job queued after the signal is not taken.
// - With a drain time shorter than the job, the process exits with the deploy cut short
//   (the database still says "torn-down" while the routers may hold the tunnel): the next
//   start resumes it, so that the database and both routers agree and traffic passes.
// This process only writes rows (inventory, queued jobs) into the server's database and
// reads them back; the server's runner polls queued rows, so inserting one hands it over.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "@/e2e/support/app-db";
import { execInRouter, pingFromHost, startLab, stopLab, type LabState } from "@/e2e/lab/lab";
import { registerLab } from "@/e2e/lab/register";
import { addLabTunnel, connectionNameOf } from "@/e2e/support/lab-jobs";
import { waitForJob } from "@/lib/rotation/test-support";
// @ts-expect-error plain ESM script without types
import { migrateDeploy } from "@/scripts/prisma-migrate.mjs";

const LAB = "h-drain-stop";
let lab: LabState;
let dataDir: string;
let port: number;
let admin: { id: string; username: string };
let tunnelId: string;

type Server = { child: ChildProcess; output: () => string; exited: Promise<number | null> };
let server: Server | null = null;

const db = async () => (await import("@/lib/db/client")).getDb();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

/** `node scripts/start.mjs` on this test's data directory and port, in a process group of its own; resolves once it serves. */
async function startServer(env: Record<string, string> = {}, timeoutMs = 900_000): Promise<Server> {
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      GATEWARDEN_DATA_DIR: dataDir,
      DATABASE_URL: "",
      LOG_LEVEL: "info",
      GATEWARDEN_HEALTH_INTERVAL_SECONDS: "3600", // no health rounds in the way
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const s = { child, output: () => output, exited };
  const until = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`the server exited while starting:\n${output.slice(-3000)}`);
    if (Date.now() > until) throw new Error(`the server did not start within ${timeoutMs} ms:\n${output.slice(-3000)}`);
    if (/listening on http/.test(output)) {
      const r = await fetch(`http://127.0.0.1:${port}/login`).catch(() => null);
      if (r?.ok) return s;
    }
    await sleep(250);
  }
}

/** Resolves with the exit code, or throws when the process is still there after timeoutMs. */
async function exitWithin(s: Server, timeoutMs: number): Promise<number | null> {
  const code = await Promise.race([s.exited, sleep(timeoutMs).then(() => "timeout" as const)]);
  if (code === "timeout") throw new Error(`the server did not exit within ${timeoutMs} ms:\n${s.output().slice(-3000)}`);
  return code;
}

/** A queued job row: the server's runner takes it at its next poll (within a second). */
async function queueJob(kind: string, params: Record<string, unknown>) {
  const { insertJob } = await import("@/lib/db/jobs");
  return (await insertJob({ kind, targetType: "tunnel", targetId: tunnelId, params, createdById: admin.id, createdByName: admin.username }))
    .id;
}

/** Waits until one of the job's "apply on …" steps is running. */
async function whileApplying(jobId: string) {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const steps = await (await db()).jobStep.findMany({ where: { jobId, status: "running" } });
    if (steps.some((s) => s.name.startsWith("apply on "))) return;
    await sleep(25);
  }
  throw new Error(`job ${jobId} never reached its apply step`);
}

async function lanPingOk() {
  const dst = lab.routers.find((r) => r.name === "hq")!.lanHost.ip;
  return (await pingFromHost(lab, "branch1", dst, { count: 3 })).received === 3;
}

async function loaded(router: string) {
  return (await execInRouter(lab, router, ["swanctl", "--list-conns"])).stdout.includes(await connectionNameOf(tunnelId));
}

beforeAll(async () => {
  lab = await startLab({ name: LAB, sites: 2, platforms: ["strongswan"] });
  dataDir = mkdtempSync(path.join(tmpdir(), "gatewarden-h-drain-stop-"));
  port = await freePort();
  process.env.DATABASE_URL = "";
  process.env.GATEWARDEN_DATA_DIR = dataDir;
  process.env.LOG_LEVEL ??= "error";
  await migrateDeploy({ env: process.env });
  await (await import("@/lib/db/crypto-profiles")).ensureBuiltInProfiles();
  admin = await createAdmin();
  const { gatewayIds } = await registerLab(lab, admin);
  tunnelId = await addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch1", profile: "Modern" });
}, 300_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    process.kill(-server.child.pid!, "SIGKILL");
    await server.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
  await stopLab(LAB);
});

describe("a graceful stop of the server", () => {
  it("SIGTERM mid-apply: no new job is taken, the running deploy finishes, then the process exits", async () => {
    server = await startServer(); // the default drain time, 60 s
    const jobId = await queueJob("deploy", { tunnelId });
    await whileApplying(jobId);
    // As systemd or Ctrl-C do: the whole process group (start.mjs forwards it to the server too).
    process.kill(-server.child.pid!, "SIGTERM");
    await sleep(300);
    const later = await queueJob("plan", { tunnelId });
    expect(await exitWithin(server, 70_000)).toBe(0);

    const job = await (await db()).job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.status, job.error ?? "").toBe("succeeded");
    expect((await (await db()).job.findUniqueOrThrow({ where: { id: later } })).status).toBe("queued");
    expect((await (await db()).tunnel.findUniqueOrThrow({ where: { id: tunnelId } })).deployState).toBe("deployed");
    expect(await loaded("hq")).toBe(true);
    expect(await loaded("branch1")).toBe(true);
    expect(await lanPingOk()).toBe(true);
    expect(server.output()).toMatch(/waiting for the running ones to finish/);
    expect(server.output()).toMatch(/every running job finished/);
  });

  it("a drain time shorter than the deploy: the next start resumes it, and the database and both routers agree", async () => {
    // No drain time at all: the deploy is surely still running when the process exits.
    server = await startServer({ GATEWARDEN_DRAIN_SECONDS: "0" });
    // The plan the stopped server left queued runs now; then the tunnel is torn down, as in the report.
    const teardown = await waitForJob(await queueJob("teardown", { tunnelId }));
    expect(teardown.status, teardown.error ?? "").toBe("succeeded");
    expect(await loaded("hq")).toBe(false);

    const jobId = await queueJob("deploy", { tunnelId });
    await whileApplying(jobId);
    process.kill(server.child.pid!, "SIGTERM"); // start.mjs alone: it forwards the signal
    expect(await exitWithin(server, 20_000)).toBe(0);
    // Cut short: the row still says running, the tunnel "torn-down", whatever the routers hold now.
    const cut = (await (await db()).job.findUniqueOrThrow({ where: { id: jobId }, include: { logs: true } }))!;
    expect(cut.status).toBe("running");
    expect(cut.logs.map((l) => l.message).join("\n")).toMatch(/Gatewarden stopped after waiting 0 s for this job to finish/);
    expect((await (await db()).tunnel.findUniqueOrThrow({ where: { id: tunnelId } })).deployState).toBe("torn-down");

    server = await startServer();
    const interrupted = await waitForJob(jobId, 30_000);
    expect(interrupted.status).toBe("interrupted");
    const copy = /queued again as job (\S+)\./.exec(interrupted.logs.map((l) => l.message).join("\n"));
    expect(copy, "the interrupted deploy was queued again").not.toBeNull();
    const resumed = await waitForJob(copy![1]!);
    expect(resumed.status, resumed.error ?? "").toBe("succeeded");
    expect((await (await db()).tunnel.findUniqueOrThrow({ where: { id: tunnelId } })).deployState).toBe("deployed");
    expect(await loaded("hq")).toBe(true);
    expect(await loaded("branch1")).toBe(true);
    expect(await lanPingOk()).toBe(true);
    expect(await (await db()).job.count({ where: { status: { in: ["queued", "running"] } } })).toBe(0);

    process.kill(-server.child.pid!, "SIGTERM");
    expect(await exitWithin(server, 20_000)).toBe(0);
  });
});
