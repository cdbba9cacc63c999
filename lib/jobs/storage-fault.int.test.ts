// A data directory that stops taking writes in the middle of a job (issue 13, item 4):
// made read-only by a bind mount, or full (a small tmpfs filled to the last byte). The
// real embedded runner and real jobs on real lab routers (sshd + strongSwan in network
// namespaces); the fault is made on the file system, mid-way through the job. The job
// must stop working on the routers at once, and — without a restart, in the same
// runner — be settled once the directory takes writes again: interrupted, its gateway
// locks released, resumed (deploys and teardowns are safe to repeat) so that the
// database and the routers agree, and the next job runs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "@/e2e/support/app-db";
import { execInRouter, startLab, stopLab, type LabState } from "@/e2e/lab/lab";
import { registerLab } from "@/e2e/lab/register";
import { addLabTunnel, connectionNameOf, runJobToEnd } from "@/e2e/support/lab-jobs";
import { waitForJob } from "@/lib/rotation/test-support";
// @ts-expect-error plain ESM script without types
import { migrateDeploy } from "@/scripts/prisma-migrate.mjs";
import { lanPingOk as labLanPingOk } from "@/lib/deploy/test-support/lab-checks";

const LAB = "h-drain-ro";
let lab: LabState;
const lanPingOk = (from: string, to: string) => labLanPingOk(lab, from, to);
let dataDir: string;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;
const tunnels: Record<string, string> = {};

const db = async () => (await import("@/lib/db/client")).getDb();
const sh = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { stdio: "pipe" }).toString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every SSH operation that reached a router (not one refused before it was sent), in order. */
const reached: { router: string; during: string; at: number }[] = [];
/** Runs before an operation is sent: where a test makes its fault. */
let beforeOperation: ((op: { router: string; argv: string[] | null }) => Promise<void>) | null = null;

async function watchRouterOperations() {
  const { SshSession } = await import("@/lib/ssh/session");
  type Session = InstanceType<typeof SshSession>;
  type Guard = (during: string, work: () => Promise<unknown>) => Promise<unknown>;
  const proto = SshSession.prototype as unknown as { guard: Guard; exec: Session["exec"] };
  const guard = proto.guard;
  const exec = proto.exec;
  let argvOfNextGuard: string[] | null = null;
  const routerOf = (host: string) => lab.routers.find((r) => r.publicIp === host)?.name ?? host;
  proto.exec = function (this: Session, argv, opts) {
    argvOfNextGuard = argv; // exec calls guard synchronously
    return exec.call(this, argv, opts);
  };
  proto.guard = function (this: Session, during, work) {
    const argv = argvOfNextGuard;
    argvOfNextGuard = null;
    const router = routerOf(this.target.host);
    return guard.call(this, during, async () => {
      await beforeOperation?.({ router, argv });
      reached.push({ router, during: argv ? argv.join(" ") : during, at: Date.now() });
      return work();
    });
  };
}

/** The strongSwan connections a router has loaded. */
async function loadedConnections(router: string) {
  return (await execInRouter(lab, router, ["swanctl", "--list-conns"])).stdout;
}

/** The job the runner queued again for an interrupted one (its log names it). */
async function resumedCopyOf(jobId: string) {
  const { getJob } = await import("@/lib/db/jobs");
  const log = (await getJob(jobId))!.logs.map((l) => l.message).join("\n");
  const m = /queued again as job (\S+)\./.exec(log);
  expect(m, log).not.toBeNull();
  return m![1]!;
}

async function waitWhileRunning(jobId: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await db()).job.findUniqueOrThrow({ where: { id: jobId } }))!;
    if (job.status !== "running" || Date.now() > until) return job;
    await sleep(100);
  }
}

beforeAll(async () => {
  lab = await startLab({ name: LAB, sites: 3, platforms: ["strongswan"] });
  // The data directory on a small file system of its own, so a test can fill it.
  dataDir = mkdtempSync(path.join(tmpdir(), "gatewarden-h-drain-ro-"));
  sh(["mount", "-t", "tmpfs", "-o", "size=32m,mode=0700", "h-drain-ro", dataDir]);
  process.env.DATABASE_URL = ""; // SQLite whatever the environment says (not unset: dotenv would fill it)
  process.env.GATEWARDEN_DATA_DIR = dataDir;
  process.env.LOG_LEVEL ??= "error";
  await migrateDeploy({ env: process.env });
  await (await import("@/lib/db/crypto-profiles")).ensureBuiltInProfiles();
  admin = await createAdmin();
  ({ gatewayIds } = await registerLab(lab, admin));
  tunnels.one = await addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch1", profile: "Modern" });
  tunnels.two = await addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch2", profile: "Modern" });
  await watchRouterOperations();
  await (await import("@/lib/jobs/runtime")).getJobRunner().start();
}, 300_000);

afterAll(async () => {
  beforeOperation = null;
  try {
    await (await import("@/lib/jobs/runtime")).getJobRunner().stop({ timeoutMs: 30_000 });
    await (await db()).$disconnect();
  } finally {
    // Whatever a failed test left mounted (the read-only bind, then the tmpfs), even if a file is still open.
    for (let i = 0; i < 2; i++) {
      try {
        sh(["umount", "-l", dataDir]);
      } catch {
        break;
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
    await stopLab(LAB);
  }
});

describe("a data directory that stops taking writes mid-job", () => {
  it("read-only mid-deploy: the job stops touching routers, is settled and resumed without a restart, and the next job runs", async () => {
    const { enqueueJob } = await import("@/lib/jobs/runtime");
    let faultAt = 0;
    let reachedBeforeFault = 0;
    // Both tunnels in one deploy: the hub is applied first (one load for both), then each branch.
    // Right before the hub's load, the data directory turns read-only.
    beforeOperation = async ({ argv }) => {
      if (faultAt || !argv?.includes("--load-all")) return;
      sh(["mount", "--bind", "-o", "ro", dataDir, dataDir]);
      faultAt = Date.now();
      reachedBeforeFault = reached.length;
    };
    const jobId = await enqueueJob({
      kind: "deploy",
      targetType: "tunnel",
      targetId: tunnels.one!,
      params: { tunnelIds: [tunnels.one, tunnels.two] },
      actor: admin,
    });
    try {
      const until = Date.now() + 60_000;
      while (!faultAt && Date.now() < until) await sleep(50);
      expect(faultAt, "the deploy reached its apply phase").toBeGreaterThan(0);
      // Long enough for the branches' apply, the verification and a rollback, had the job gone on.
      await sleep(5_000);
      const during = await (await db()).job.findUniqueOrThrow({ where: { id: jobId } });
      expect(during.status).toBe("running"); // nothing can be written: the row says what it said
      // The hub's load was already on its way; nothing was sent to any router after it.
      expect(reached.slice(reachedBeforeFault).map((r) => `${r.router}: ${r.during}`)).toEqual(["hq: swanctl --load-all"]);
    } finally {
      beforeOperation = null;
      sh(["umount", dataDir]); // writable again; the runner is the same one
    }

    const settled = await waitWhileRunning(jobId, 15_000);
    expect(settled.status).toBe("interrupted");
    expect(settled.error).toMatch(
      /could not record this job's progress \(the database cannot be written: SQLITE_(CANTOPEN|READONLY)\w*\), so it stopped working on the routers at \d\d:\d\d:\d\d UTC; it was settled once the database took writes again/,
    );
    expect(await (await db()).gatewayLock.count({ where: { jobId } })).toBe(0);

    // Resumed: the same deploy, run again to its end, so the database and the routers agree.
    const resumed = await waitForJob(await resumedCopyOf(jobId));
    expect(resumed.status, resumed.error ?? "").toBe("succeeded");
    const states = await (await db()).tunnel.findMany({ where: { id: { in: [tunnels.one!, tunnels.two!] } } });
    expect(states.map((t) => t.deployState)).toEqual(["deployed", "deployed"]);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    expect(await lanPingOk("branch2", "hq")).toBe(true);

    // The next job on those gateways runs: a key rotation of the first tunnel.
    const rotation = await runJobToEnd(admin, "rotate", { tunnelIds: [tunnels.one] }, tunnels.one);
    expect(rotation.status, rotation.error ?? "").toBe("succeeded");
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    expect(await (await db()).job.count({ where: { status: { in: ["queued", "running"] } } })).toBe(0);
  });

  it("full mid-teardown: settled once space is freed, the teardown resumed, and the tunnel deploys again", async () => {
    const { enqueueJob } = await import("@/lib/jobs/runtime");
    const filler = path.join(dataDir, "filler");
    let faultAt = 0;
    beforeOperation = async ({ argv }) => {
      if (faultAt || !argv?.includes("--terminate")) return;
      // Fill the file system to its last byte (dd stops with "No space left on device").
      try {
        sh(["dd", "if=/dev/zero", `of=${filler}`, "bs=1M"]);
      } catch {
        /* full */
      }
      faultAt = Date.now();
    };
    const jobId = await enqueueJob({
      kind: "teardown",
      targetType: "tunnel",
      targetId: tunnels.two!,
      params: { tunnelId: tunnels.two },
      actor: admin,
    });
    try {
      const until = Date.now() + 60_000;
      while (!faultAt && Date.now() < until) await sleep(50);
      expect(faultAt, "the teardown reached its first command").toBeGreaterThan(0);
      await sleep(3_000);
      expect((await (await db()).job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe("running");
      // Each end's stop command may have been on its way; no file was removed, nothing reloaded.
      const after = reached.filter((r) => r.at >= faultAt).map((r) => r.during);
      expect(after.every((d) => d.startsWith("swanctl --terminate"))).toBe(true);
    } finally {
      beforeOperation = null;
      rmSync(filler, { force: true });
    }

    const settled = await waitWhileRunning(jobId, 15_000);
    expect(settled.status).toBe("interrupted");
    expect(settled.error).toMatch(/the database cannot be written: SQLITE_(FULL|IOERR)/);
    expect(await (await db()).gatewayLock.count({ where: { jobId } })).toBe(0);

    const resumed = await waitForJob(await resumedCopyOf(jobId));
    expect(resumed.status, resumed.error ?? "").toBe("succeeded");
    expect((await (await db()).tunnel.findUniqueOrThrow({ where: { id: tunnels.two! } })).deployState).toBe("torn-down");
    const conn = await connectionNameOf(tunnels.two!);
    expect(await loadedConnections("hq")).not.toContain(conn);
    expect(await loadedConnections("branch2")).not.toContain(conn);
    expect(await lanPingOk("branch1", "hq")).toBe(true); // the other tunnel of the hub is untouched

    const again = await runJobToEnd(admin, "deploy", { tunnelId: tunnels.two });
    expect(again.status, again.error ?? "").toBe("succeeded");
    expect(await lanPingOk("branch2", "hq")).toBe(true);
  });
});
