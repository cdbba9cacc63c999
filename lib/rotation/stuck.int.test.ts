// Rotations that cannot finish, on real lab routers with real faults injected inside the
// routers (issue 13, items 1, 2 and 8): the b end's authorized_keys emptied mid-rotation
// (before and after it received the new key), and a strongSwan ↔ strongSwan tunnel that
// is down because someone edited a key by hand. After each: both routers hold the
// database's active key, the tunnel passes LAN traffic, no job is left running or
// queued, and the next rotation succeeds once the fault is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { execInRouter, pingFromHost, startLab, stopLab, type LabState } from "@/e2e/lab/lab";
import { registerLab } from "@/e2e/lab/register";
import { connectionNameOf } from "@/e2e/support/lab-jobs";
import { runRotation, runTunnelJob, waitForJob } from "@/lib/rotation/test-support";
import type { HealthPoller } from "@/lib/health/poller";

const LAB = "h-stuck-rot";
// Recovery attempts at once, then 4 s and 4 s later: the test sees a retry without waiting minutes.
process.env.GATEWARDEN_RECOVERY_BACKOFF_SECONDS = "4,4,4";

let lab: LabState;
let admin: { id: string; username: string };
const tunnels: Record<string, string> = {};
const deployJobs: Record<string, string> = {};
let poller: HealthPoller;

const db = async () => (await import("@/lib/db/client")).getDb();
const router = (gatewayName: string) => gatewayName.replace(/-gw$/, "");

/** Every end's secret files hold the database's active key (as rendered), and nothing is pending. */
async function expectRoutersOnActiveKey(tunnelId: string) {
  const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
  const { getPlatform } = await import("@/lib/platforms");
  const loaded = (await loadTunnelEnds(tunnelId, "active"))!;
  for (const end of loaded.ends) {
    for (const f of getPlatform(end.platform)
      .render(end.end)
      .filter((x) => x.secret)) {
      const r = await execInRouter(lab, router(end.gatewayName), ["cat", f.path]);
      expect(r.stdout, `${end.gatewayName}:${f.path}`).toBe(f.content);
    }
  }
  const keys = await (await db()).presharedKey.findMany({ where: { tunnelId, status: { in: ["active", "pending"] } } });
  expect(keys.map((k) => k.status)).toEqual(["active"]);
  const ends = await (await db()).tunnelEnd.findMany({ where: { tunnelId } });
  expect(ends.map((e) => e.appliedPskVersion)).toEqual([loaded.pskVersion, loaded.pskVersion]);
  return loaded.pskVersion;
}

async function lanPingOk(from: string, to: string) {
  const dst = lab.routers.find((r) => r.name === to)!.lanHost.ip;
  for (let i = 0; i < 10; i++) {
    if ((await pingFromHost(lab, from, dst, { count: 3 })).received === 3) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

async function noJobLeft() {
  const left = await (
    await db()
  ).job.findMany({ where: { status: { in: ["running", "queued"] } }, select: { id: true, kind: true, status: true } });
  expect(left).toEqual([]);
}

/** Management access to the router is cut: its authorized_keys emptied inside it, its open sessions killed. */
async function lockOut(r: string) {
  await execInRouter(lab, r, ["sh", "-c", ': > /etc/ssh/authorized_keys; pkill -KILL -P "$(cat /run/sshd.pid)" || true']);
}
async function letIn(r: string) {
  const key = lab.managementKey.publicKey.trim();
  await execInRouter(lab, r, ["sh", "-c", `printf '%s\\n' '${key}' > /etc/ssh/authorized_keys`]);
}

async function rotationLog(jobId: string) {
  return (await (await db()).jobLog.findMany({ where: { jobId }, orderBy: { seq: "asc" } })).map((l) => l.message);
}

async function waitUntil<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every recovery job of the tunnel has finished, the last one succeeded, nothing is queued. */
async function recoveriesSettled(tunnelId: string) {
  return waitUntil("the recovery jobs to settle", async () => {
    const jobs = await (await db()).job.findMany({ where: { kind: "rotate-recover", targetId: tunnelId }, orderBy: { createdAt: "asc" } });
    if (!jobs.length || jobs.some((j) => ["queued", "running"].includes(j.status))) return null;
    return jobs;
  });
}

beforeAll(async () => {
  lab = await startLab({ name: LAB, sites: 3, platforms: ["strongswan"] });
  await freshAppDatabase();
  admin = await createAdmin();
  const reg = await registerLab(lab, admin, { tunnels: "hub-and-spoke" });
  tunnels.hqB1 = reg.tunnelIds[0]!;
  tunnels.hqB2 = reg.tunnelIds[1]!;
  for (const t of [tunnels.hqB1!, tunnels.hqB2!]) {
    const job = await runTunnelJob(admin, "deploy", t);
    expect(job.error).toBeNull();
    deployJobs[t] = job.id;
  }
  const { HealthPoller } = await import("@/lib/health/poller");
  poller = new HealthPoller({ intervalMs: 600_000, maxConcurrent: 4 });
}, 300_000);

afterAll(async () => {
  await poller?.stop();
  const { getJobRunner } = await import("@/lib/jobs/runtime");
  await getJobRunner().stop();
  await stopLab(LAB);
});

describe("rotations that cannot finish are settled by the product (h-stuck)", () => {
  it("a successful rotation logs 1 of 1 rotated, and the Deployment card still follows the deploy job", async () => {
    const t = tunnels.hqB1!;
    const { jobId, outcomes } = await runRotation(admin, [t]);
    expect(outcomes[0]).toMatchObject({ result: "rotated" });
    const log = await rotationLog(jobId);
    expect(log).toContain("1 of 1 tunnel(s) in this batch rotated");
    expect(log.filter((l) => /^0 of/.test(l))).toEqual([]);
    const { DEPLOY_JOB_KINDS, getLatestJobOfKinds } = await import("@/lib/db/rotation");
    expect((await getLatestJobOfKinds("tunnel", t, DEPLOY_JOB_KINDS))?.id).toBe(deployJobs[t]);
    await expectRoutersOnActiveKey(t);
  });

  it("b's authorized_keys emptied before b got the new key: only a is put back, no stuck state, next rotation succeeds", async () => {
    const t = tunnels.hqB1!;
    const before = await expectRoutersOnActiveKey(t);
    const { outcomes, jobId } = await runRotation(admin, [t], {
      afterEndUploaded: async (_id, role) => (role === "a" ? lockOut("branch1") : undefined),
    });
    try {
      expect(outcomes[0]).toMatchObject({ result: "reverted" });
      expect(await rotationLog(jobId)).toContain(
        `hq-gw ↔ branch1-gw: putting key v${before} back on end a only, the one that received the new key (${outcomes[0]!.error})`,
      );
      expect(await expectRoutersOnActiveKey(t)).toBe(before);
      expect(await lanPingOk("branch1", "hq")).toBe(true);
      await noJobLeft();
    } finally {
      await letIn("branch1");
    }
    const next = await runRotation(admin, [t]);
    expect(next.outcomes[0]).toMatchObject({ result: "rotated", toVersion: before + 2 });
    await expectRoutersOnActiveKey(t);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
  });

  it("b's authorized_keys emptied after b got the new key: stuck, shown, rotation refused, recovery retried until the fault is gone", async () => {
    const t = tunnels.hqB1!;
    const active = await expectRoutersOnActiveKey(t);
    const { outcomes, jobId } = await runRotation(admin, [t], {
      afterEndUploaded: async (_id, role) => (role === "b" ? lockOut("branch1") : undefined),
    });
    expect(outcomes[0]).toMatchObject({ result: "stuck" });
    expect((await rotationLog(jobId)).some((l) => /recovery job \S+ queued \(attempt 1 of 4, now\)/.test(l))).toBe(true);
    // The first attempt runs at once and fails (branch1 still refuses us); the next one waits.
    const d = await db();
    await waitUntil("a failed recovery attempt", () =>
      d.job.findFirst({ where: { kind: "rotate-recover", targetId: t, status: "failed" } }),
    );
    const { loadStuckState } = await import("@/lib/rotation/load-stuck");
    const stuck = await waitUntil("the stuck state with attempt 2 queued", async () => {
      const s = await loadStuckState(t);
      return s && /Recovery attempt 2 is (scheduled|queued)/.test(s.recovery) ? s : null;
    });
    expect(stuck.pending).toEqual([active + 1]);
    expect(stuck.todo).toMatch(/press Repair/);
    const { startPskRotation } = await import("@/lib/rotation/start-rotation");
    await expect(startPskRotation(admin, { tunnelId: t })).rejects.toThrow(/stuck/);
    // While the fault lasts the tunnel keeps running on the old SA.
    expect(await lanPingOk("branch1", "hq")).toBe(true);

    await letIn("branch1");
    const jobs = await recoveriesSettled(t);
    expect(jobs.at(-1)!.status).toBe("succeeded");
    expect(JSON.parse(jobs.at(-1)!.result!).decisions[0]).toMatchObject({ action: "revert", result: "reverted" });
    expect(await expectRoutersOnActiveKey(t)).toBe(active);
    expect(await loadStuckState(t)).toBeNull();
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    await noJobLeft();
    const next = await runRotation(admin, [t]);
    expect(next.outcomes[0]).toMatchObject({ result: "rotated" });
    await expectRoutersOnActiveKey(t);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
  });

  it("Repair: fails cleanly while a router refuses us, then puts the active key on both ends once it answers", async () => {
    const t = tunnels.hqB1!;
    const { startRepair } = await import("@/lib/rotation/start-rotation");
    await lockOut("branch1");
    try {
      const failed = await waitForJob(await startRepair(admin, t));
      expect(failed.status).toBe("failed");
      expect(failed.error).toMatch(/Repair failed: .*198\.\S+ port 22 refused the SSH key/);
    } finally {
      await letIn("branch1");
    }
    // A key edited by hand on branch1 (as someone might do): Repair brings it back.
    await execInRouter(lab, "branch1", [
      "sh",
      "-c",
      `sed -i 's/secret = .*/secret = "hand-edited-${Date.now()}-xxxxxxxxxxxx"/' /etc/swanctl/conf.d/${await connectionNameOf(t)}.secrets.conf`,
    ]);
    const ok = await waitForJob(await startRepair(admin, t));
    expect(ok.error).toBeNull();
    expect(ok.status).toBe("succeeded");
    await expectRoutersOnActiveKey(t);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    const { listAuditEvents } = await import("@/lib/db/audit");
    const audits = (await listAuditEvents({ targetType: "tunnel", targetId: t })).filter((e) => e.action === "tunnel.repair");
    expect(audits.map((a) => JSON.parse(a.after!).result)).toEqual(["repaired", "failed"]);
    await noJobLeft();
  });

  it("b's config disk full (a small tmpfs over /etc/swanctl/conf.d, filled): the upload fails, only a is put back, next rotation succeeds", async () => {
    const t = tunnels.hqB1!;
    const before = await expectRoutersOnActiveKey(t);
    const dir = "/etc/swanctl/conf.d";
    // The same files on a 64 KiB tmpfs, then filled to the last block.
    await execInRouter(lab, "branch1", [
      "sh",
      "-c",
      `set -e; cp -a ${dir} /run/conf.d.keep; mount -t tmpfs -o size=64k gw-full ${dir}; cp -a /run/conf.d.keep/. ${dir}/; dd if=/dev/zero of=${dir}/.fill bs=4k 2>/dev/null || true; rm -rf /run/conf.d.keep`,
    ]);
    try {
      const { outcomes } = await runRotation(admin, [t]);
      expect(outcomes[0]).toMatchObject({ result: "reverted" });
      expect(outcomes[0]!.error).toMatch(/branch1|No space|failure/i);
    } finally {
      await execInRouter(lab, "branch1", ["umount", dir]);
    }
    expect(await expectRoutersOnActiveKey(t)).toBe(before);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    await noJobLeft();
    const next = await runRotation(admin, [t]);
    expect(next.outcomes[0]).toMatchObject({ result: "rotated" });
    await expectRoutersOnActiveKey(t);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
  });

  it("a strongSwan pair down after a key edited by hand: health says AUTH_FAILED, Rotate brings it up on the new key", async () => {
    const t = tunnels.hqB2!;
    const conn = await connectionNameOf(t);
    await execInRouter(lab, "branch2", [
      "sh",
      "-c",
      `sed -i 's/secret = .*/secret = "hand-edited-${Date.now()}-xxxxxxxxxxxx"/' /etc/swanctl/conf.d/${conn}.secrets.conf && swanctl --load-creds >/dev/null && swanctl --terminate --ike ${conn} --timeout 10 >/dev/null`,
    ]);
    // hq tries to bring it back and is refused.
    await execInRouter(lab, "hq", ["swanctl", "--initiate", "--child", conn, "--timeout", "10"]);
    await waitUntil("the tunnel to be down on both ends", async () => {
      const sas = await Promise.all(["hq", "branch2"].map((r) => execInRouter(lab, r, ["swanctl", "--list-sas", "--ike", conn])));
      return sas.every((s) => !s.stdout.includes("ESTABLISHED"));
    });
    expect((await pingFromHost(lab, "branch2", lab.routers.find((r) => r.name === "hq")!.lanHost.ip, { count: 2 })).received).toBe(0);
    await poller.pollNow([t]);
    const round = await poller.pollNow([t]);
    const j = round.judgements.get(t)!;
    expect(j.state).toBe("down");
    expect(j.reason).toMatch(/AUTH_FAILED/);

    const { outcomes } = await runRotation(admin, [t]);
    expect(outcomes[0]!.error).toBeNull();
    expect(outcomes[0]).toMatchObject({ result: "rotated", fromVersion: 1, toVersion: 2 });
    await expectRoutersOnActiveKey(t);
    expect(await lanPingOk("branch2", "hq")).toBe(true);
    const after = (await poller.pollNow([t])).judgements.get(t)!;
    expect(after.state).toBe("up");
    await noJobLeft();
  });

  it("a torn-down tunnel does not keep showing up", async () => {
    const t = tunnels.hqB2!;
    await poller.pollNow([t]);
    expect((await (await db()).tunnel.findUnique({ where: { id: t } }))!.healthState).toBe("up");
    const job = await runTunnelJob(admin, "teardown", t);
    expect(job.error).toBeNull();
    const row = (await (await db()).tunnel.findUnique({ where: { id: t } }))!;
    expect([row.deployState, row.healthState]).toEqual(["torn-down", "unknown"]);
    expect(row.healthReason).toMatch(/Torn down/);
  });
});
