// Router-side commit-confirm on real lab routers (no systemd there: the detached timer).
// A deploy arms a timer on each router it changes and disarms it after verifying; when
// Gatewarden loses the router right after applying (its sshd killed by PID), the router
// puts its previous files back and brings the old tunnel up by itself within the
// timeout, and Gatewarden records the revert in the job on its next contact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { execInRouter, getRouter, type LabState } from "@/e2e/lab/lab";
import { startSshd } from "@/e2e/lab/daemons";
import { addLabTunnel, runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { configSnapshot as labConfigSnapshot, lanPingOk as labLanPingOk } from "@/lib/deploy/test-support/lab-checks";

// Longer than a deploy that verifies (a few seconds here; CentOS about 11 s) and than
// Gatewarden's own rollback of the reachable router once the cut one's SSH is lost (a lost
// connection is reported at once, lib/deploy/verify.ts), so the reachable router is rolled
// back by Gatewarden and only the cut one restores itself.
const CONFIRM_SECONDS = 35;
// Read once by lib/config/env, before any job runs.
process.env.GATEWARDEN_COMMIT_CONFIRM_SECONDS = String(CONFIRM_SECONDS);

const LAB = "h-confirm";
let lab: LabState;
const configSnapshot = (router: string) => labConfigSnapshot(lab, router);
const lanPingOk = (from: string, to: string) => labLanPingOk(lab, from, to);
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;

const db = async () => (await import("@/lib/db/client")).getDb();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the router's commit-confirm directory holds: job/file names only. */
async function confirmFiles(router: string): Promise<string[]> {
  const r = await execInRouter(lab, router, ["sh", "-c", "cd /var/lib/gatewarden/confirm 2>/dev/null && find . -type f | sort"]);
  return r.stdout.split("\n").filter(Boolean);
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(250);
  }
  return check();
}

/** Whether a process runs this job's restore script (a zombie's command line is empty). */
function timerRunning(pid: string, jobId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`/var/lib/gatewarden/confirm/${jobId}/restore.sh`);
  } catch {
    return false;
  }
}

const logOf = async (jobId: string) =>
  ((await (await import("@/lib/db/jobs")).getJob(jobId))?.logs ?? []).map((l) => `${l.gateway ?? "-"}: ${l.message}`);

beforeAll(async () => {
  ({ lab, admin, gatewayIds } = await startLabApp({
    name: LAB,
    sites: 4,
    platforms: ["strongswan", "strongswan", "centos-racoon", "centos-racoon"],
  }));
});

afterAll(async () => {
  await stopLabApp(LAB);
});

describe.each([
  { platform: "strongSwan", a: "hq", b: "branch1", first: "Modern", second: "Article (legacy)" },
  { platform: "CentOS (racoon)", a: "branch2", b: "branch3", first: "Modern IKEv1 (racoon)", second: "Article (legacy)" },
])("commit-confirm on $platform lab routers", ({ a, b, first, second }) => {
  let tunnelId: string;

  it("a normal deploy arms the timer on both routers and confirms after verifying: nothing is restored later", async () => {
    tunnelId = await addLabTunnel(admin, gatewayIds, { a, b, profile: first });
    const job = await runJobToEnd(admin, "deploy", { tunnelId });
    expect(job.status).toBe("succeeded");
    const log = job.logs.map((l) => `${l.gateway}: ${l.message}`);
    for (const r of [a, b]) {
      expect(log).toContainEqual(expect.stringMatching(new RegExp(`^${r}-gw: commit-confirm armed \\(detached process \\d+\\)`)));
      expect(log).toContainEqual(`${r}-gw: commit-confirm: confirmed; the router's timer is disarmed`);
    }
    // Disarmed means gone: the detached timer process (the routers share this machine's PID namespace) no longer runs.
    for (const r of [a, b]) {
      const pid = (await execInRouter(lab, r, ["cat", `/var/lib/gatewarden/confirm/${job.id}/pid`])).stdout.trim();
      expect(pid).toMatch(/^\d+$/);
      expect(await eventually(async () => !timerRunning(pid, job.id), 2000)).toBe(true);
    }
    const snapshots = [await configSnapshot(a), await configSnapshot(b)];
    // Past the window: had the timer survived, it would have restored the empty router by now.
    await sleep((CONFIRM_SECONDS + 3) * 1000);
    expect([await configSnapshot(a), await configSnapshot(b)]).toEqual(snapshots);
    for (const r of [a, b]) {
      const files = await confirmFiles(r);
      expect(files).toContain(`./${job.id}/confirmed`);
      expect(files.filter((f) => /revert|armed|keep\//.test(f))).toEqual([]);
      const restoreLog = (await execInRouter(lab, r, ["cat", `/var/lib/gatewarden/confirm/${job.id}/restore.log`])).stdout;
      expect(restoreLog).toMatch(/confirmed/);
      expect(restoreLog).not.toMatch(/restoring/);
    }
    expect(await lanPingOk(b, a)).toBe(true);
  });

  it("SSH cut right after apply: the router restores itself within the timeout, the old tunnel carries traffic, the job says reverted", async () => {
    const { insertJob } = await import("@/lib/db/jobs");
    const { createJobContext } = await import("@/lib/jobs/context");
    const { deployTunnels } = await import("@/lib/deploy/deploy-tunnels");
    const { connectGatewayForJob } = await import("@/lib/deploy/connect");
    const { listCryptoProfiles } = await import("@/lib/db/inventory");
    const before = { [a]: await configSnapshot(a), [b]: await configSnapshot(b) };
    // A configuration change: the new profile is what the deploy applies, the old one what must come back.
    const profile = (await listCryptoProfiles()).find((p) => p.name === second)!;
    await (await db()).tunnel.update({ where: { id: tunnelId }, data: { cryptoProfileId: profile.id } });
    // This test drives the handler itself (to cut a router at a chosen moment): the runner must not take the row.
    await (await import("@/lib/jobs/runtime")).getJobRunner().stop();
    const { id } = await insertJob({
      kind: "deploy",
      targetType: "tunnel",
      targetId: tunnelId,
      params: { tunnelId },
      createdById: admin.id,
      createdByName: admin.username,
    });
    const ctx = await createJobContext(id, "deploy", { tunnelId }, admin);
    let applies = 0;
    let cut: { router: string; at: number } | null = null;
    const step = ctx.step.bind(ctx);
    // After the second router's apply step, that router's sshd (listener and sessions) is killed by its PID.
    (ctx as { step: typeof ctx.step }).step = async (name, gatewayId, fn) => {
      try {
        return await step(name, gatewayId, fn);
      } finally {
        if (name.startsWith("apply on ") && ++applies === 2) {
          const router = name.slice("apply on ".length).replace(/-gw$/, "");
          await execInRouter(lab, router, ["sh", "-c", 'p="$(cat /run/sshd.pid)"; pkill -KILL -P "$p"; kill -KILL "$p"']);
          cut = { router, at: Date.now() };
        }
      }
    };
    let runnerStarted = false;
    try {
      await cutAndRevert();
    } finally {
      // Later tests run jobs through the runner, on the profile the routers run.
      if (!runnerStarted) await (await import("@/lib/jobs/runtime")).getJobRunner().start();
      const old = (await listCryptoProfiles()).find((p) => p.name === first)!;
      await (await db()).tunnel.update({ where: { id: tunnelId }, data: { cryptoProfileId: old.id } });
    }

    async function cutAndRevert() {
      const deploying = deployTunnels(ctx, connectGatewayForJob).then(
        () => "succeeded",
        (e: Error) => e.message,
      );
      expect(await eventually(async () => cut !== null, 60_000)).toBe(true);
      const { router, at } = cut!;
      const other = router === a ? b : a;
      // The router alone: it records the revert once it has put its files back and re-applied the old tunnel.
      const reverted = `/var/lib/gatewarden/confirm/${id}/reverted`;
      expect(await eventually(async () => (await confirmFiles(router)).includes(`./${id}/reverted`), (CONFIRM_SECONDS + 10) * 1000)).toBe(
        true,
      );
      expect(await configSnapshot(router)).toBe(before[router]);
      // At the deadline the job announced when arming, not before it and not much later.
      const armedLine = (await logOf(id)).find((l) => l.startsWith(`${router}-gw: commit-confirm armed`))!;
      const deadline = Date.parse(/at (\S+Z) /.exec(armedLine)![1]!);
      const revertedAt = Date.parse((await execInRouter(lab, router, ["head", "-n1", reverted])).stdout.trim());
      expect(revertedAt).toBeGreaterThanOrEqual(deadline - 1000);
      expect(revertedAt).toBeLessThan(deadline + 5000);
      expect(Date.now() - at).toBeLessThan((CONFIRM_SECONDS + 5) * 1000);
      const restoreLog = (await execInRouter(lab, router, ["cat", `/var/lib/gatewarden/confirm/${id}/restore.log`])).stdout;
      expect(restoreLog).toMatch(/not confirmed: restoring the previous configuration/);
      expect(restoreLog).toMatch(/restored$/m);

      const outcome = await deploying;
      expect(outcome).not.toBe("succeeded");
      // As the runner would: the job row ends with the handler's error (the runner must not take it up again).
      await (await db()).job.update({ where: { id }, data: { status: "failed", error: outcome, finishedAt: new Date() } });
      // The router Gatewarden could still reach was rolled back by Gatewarden and its timer disarmed.
      expect(await configSnapshot(other)).toBe(before[other]);
      expect(await confirmFiles(other)).toContain(`./${id}/confirmed`);
      // The old tunnel carries LAN traffic again.
      expect(await eventually(() => lanPingOk(b, a), 30_000)).toBe(true);
      const log = await logOf(id);
      expect(log).toContainEqual(expect.stringMatching(new RegExp(`^${router}-gw: .*restores its previous configuration by itself at`)));

      // Next contact: sshd is back, any job that connects finds the revert and writes it into the job that armed it.
      await startSshd(getRouter(lab, router));
      await (await import("@/lib/jobs/runtime")).getJobRunner().start();
      runnerStarted = true;
      const plan = await runJobToEnd(admin, "plan", { tunnelId });
      expect(plan.status).toBe("succeeded");
      expect(await logOf(id)).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^${router}-gw: commit-confirm reverted: ${router}-gw was not confirmed and restored its previous configuration by itself at `,
          ),
        ),
      );
      const audit = await (await db()).auditEvent.findMany({ where: { action: "tunnel.router-reverted", targetId: tunnelId } });
      expect(audit).toHaveLength(1);
      expect(await confirmFiles(router)).toContain(`./${id}/reverted.noted`);
      // Reported once: another contact adds nothing.
      await runJobToEnd(admin, "plan", { tunnelId });
      expect((await (await db()).auditEvent.findMany({ where: { action: "tunnel.router-reverted", targetId: tunnelId } })).length).toBe(1);
    }
  });
});
