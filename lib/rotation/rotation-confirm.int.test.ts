// Router-side commit-confirm for key rotations on real lab routers (no systemd there:
// the detached timer). A rotation arms a timer on each router before it gets the new key
// and confirms the tunnel there once the new key is proven; when Gatewarden loses a
// router right after the key switch (its sshd killed by PID), Gatewarden cannot put the
// tunnel back itself (stuck), both routers put the old key back by themselves at the
// deadline and the tunnel carries LAN traffic on it; the database still calls the old key
// active; once sshd is back, recovery settles the pending key and the next rotation works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { execInRouter, getRouter, startLab, stopLab, type LabState } from "@/e2e/lab/lab";
import { startSshd } from "@/e2e/lab/daemons";
import { registerLab } from "@/e2e/lab/register";
import { lanPingOk as labLanPingOk } from "@/lib/deploy/test-support/lab-checks";
import { runRotation, runTunnelJob } from "@/lib/rotation/test-support";
import type { ConnectGateway } from "@/lib/deploy/connect";
import type { RouterIO } from "@/lib/deploy/router-io";

// Longer than a strongSwan rotation that proves its new key (a few seconds here).
const CONFIRM_SECONDS = 30;
// Read once by lib/config/env, before any job runs.
process.env.GATEWARDEN_COMMIT_CONFIRM_SECONDS = String(CONFIRM_SECONDS);
// Recovery attempts at once, then every 5 s while branch1 cannot be reached (never given up).
process.env.GATEWARDEN_RECOVERY_BACKOFF_SECONDS = "5";

const LAB = "h-rotcc-confirm";
let lab: LabState;
let admin: { id: string; username: string };
let tunnelId: string;

const db = async () => (await import("@/lib/db/client")).getDb();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lanPingOk = (from: string, to: string) => labLanPingOk(lab, from, to);
const router = (gatewayName: string) => gatewayName.replace(/-gw$/, "");

async function waitUntil<T>(fn: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error("timed out");
    await sleep(250);
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(250);
  }
  return check();
}

/** What each router's secret files hold, by router and path. */
async function secretFiles(): Promise<Record<string, string>> {
  const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
  const { getPlatform } = await import("@/lib/platforms");
  const out: Record<string, string> = {};
  for (const end of (await loadTunnelEnds(tunnelId, "active"))!.ends)
    for (const f of getPlatform(end.platform)
      .render(end.end)
      .filter((x) => x.secret))
      out[`${end.gatewayName}:${f.path}`] = (await execInRouter(lab, router(end.gatewayName), ["cat", f.path])).stdout;
  return out;
}

/** The files rendered with the database's active key, as secretFiles() reads them. */
async function activeKeyFiles(): Promise<Record<string, string>> {
  const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
  const { getPlatform } = await import("@/lib/platforms");
  const out: Record<string, string> = {};
  for (const end of (await loadTunnelEnds(tunnelId, "active"))!.ends)
    for (const f of getPlatform(end.platform)
      .render(end.end)
      .filter((x) => x.secret))
      out[`${end.gatewayName}:${f.path}`] = f.content;
  return out;
}

async function keyStatuses() {
  const keys = await (await db()).presharedKey.findMany({ where: { tunnelId }, orderBy: { version: "asc" } });
  return keys.map((k) => `v${k.version}:${k.status}`);
}

/** The job's timer directory on a router: the job id, "-b" added where the router was armed in the "b" round. */
async function timerDir(r: string, jobId: string): Promise<string> {
  const out = await execInRouter(lab, r, [
    "sh",
    "-c",
    `ls -d /var/lib/gatewarden/confirm/${jobId} /var/lib/gatewarden/confirm/${jobId}-b 2>/dev/null`,
  ]);
  const dirs = out.stdout.split("\n").filter(Boolean);
  expect(dirs.length, `${r}: ${out.stdout}`).toBeLessThanOrEqual(1);
  return dirs[0] ?? `/var/lib/gatewarden/confirm/${jobId}`;
}

const confirmFiles = async (r: string, jobId: string) =>
  (await execInRouter(lab, r, ["sh", "-c", `cd ${await timerDir(r, jobId)} 2>/dev/null && find . -type f | sort`])).stdout
    .split("\n")
    .filter(Boolean);

const logOf = async (jobId: string) =>
  (await (await db()).jobLog.findMany({ where: { jobId }, orderBy: { seq: "asc" } })).map((l) => `${l.gateway ?? "-"}: ${l.message}`);

/** A fresh IKE SA with the keys the two routers hold now: only authenticates when both load the same key. */
async function freshIkeSa(from: string): Promise<boolean> {
  const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
  const name = (await loadTunnelEnds(tunnelId, "active"))!.ends[0].end.connectionName;
  await execInRouter(lab, from, ["swanctl", "--terminate", "--ike", name]);
  const r = await execInRouter(lab, from, ["swanctl", "--initiate", "--child", name, "--timeout", "10"]);
  return r.code === 0;
}

/** A connect for runRotation that kills branch1's sshd (listener and sessions, by PID) right after the key switch command ran. */
function cutAfterSwitch() {
  let cut: number | null = null;
  const connect: ConnectGateway = async (gatewayId, ctx) => {
    const { connectGatewayForJob } = await import("@/lib/deploy/connect");
    const io = await connectGatewayForJob(gatewayId, ctx);
    return new Proxy(io, {
      get(target, prop) {
        if (prop === "exec")
          return async (argv: string[], opts?: { timeoutMs?: number }) => {
            const out = await target.exec(argv, opts);
            if (cut === null && argv.includes("--reauth")) {
              await execInRouter(lab, "branch1", ["sh", "-c", 'p="$(cat /run/sshd.pid)"; pkill -KILL -P "$p"; kill -KILL "$p"']);
              cut = Date.now();
            }
            return out;
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as RouterIO;
  };
  return { connect, at: () => cut };
}

beforeAll(async () => {
  lab = await startLab({ name: LAB, sites: 2, platforms: ["strongswan"] });
  await freshAppDatabase();
  admin = await createAdmin();
  const reg = await registerLab(lab, admin, { tunnels: "hub-and-spoke" });
  tunnelId = reg.tunnelIds[0]!;
  const job = await runTunnelJob(admin, "deploy", tunnelId);
  expect(job.error).toBeNull();
}, 300_000);

afterAll(async () => {
  const { getJobRunner } = await import("@/lib/jobs/runtime");
  await getJobRunner().stop();
  await stopLab(LAB);
});

describe("commit-confirm of key rotations on strongSwan lab routers (h-rotcc)", () => {
  it("a rotation arms the timer on both routers and confirms the tunnel there before the new key is active: nothing is put back later", async () => {
    const { jobId, outcomes } = await runRotation(admin, [tunnelId]);
    expect(outcomes[0]).toMatchObject({ result: "rotated" });
    const log = await logOf(jobId);
    for (const r of ["hq", "branch1"]) {
      expect(log).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${r}-gw: commit-confirm armed \\(detached process \\d+\\): unless confirmed, the router puts back`),
        ),
      );
      expect(log).toContainEqual(expect.stringMatching(new RegExp(`^${r}-gw: commit-confirm: .* confirmed; no tunnel is pending here`)));
    }
    // Confirmed before the database made the new key active.
    const confirmedAt = log.findIndex((l) => /confirmed; no tunnel is pending/.test(l));
    const rotatedAt = log.findIndex((l) => /1 of 1 tunnel\(s\) in this batch rotated/.test(l));
    expect(confirmedAt).toBeGreaterThan(-1);
    expect(confirmedAt).toBeLessThan(rotatedAt);
    const files = await secretFiles();
    expect(files).toEqual(await activeKeyFiles());
    // Past the window: had a timer survived, it would have put the old key back by now.
    await sleep((CONFIRM_SECONDS + 3) * 1000);
    expect(await secretFiles()).toEqual(files);
    for (const r of ["hq", "branch1"]) {
      const left = await confirmFiles(r, jobId);
      expect(left).toContain("./confirmed");
      expect(left.filter((f) => /reverted|armed|keep\/|pending\//.test(f))).toEqual([]);
    }
    expect(await lanPingOk("branch1", "hq")).toBe(true);
  }, 120_000);

  it("SSH to a router cut right after the key switch: both routers put the old key back by themselves, the tunnel carries traffic on it, the database keeps it active; recovery settles, the next rotation succeeds", async () => {
    const before = await secretFiles();
    const statusesBefore = await keyStatuses();
    const activeBefore = statusesBefore.find((s) => s.endsWith(":active"))!;
    const cutter = cutAfterSwitch();
    const { jobId, outcomes } = await runRotation(admin, [tunnelId], {}, cutter.connect);
    const cut = cutter.at();
    expect(cut).not.toBeNull();
    // Gatewarden could not put branch1 back itself: stuck, both timers left armed.
    expect(outcomes[0]).toMatchObject({ result: "stuck" });
    const log = await logOf(jobId);
    for (const r of ["hq", "branch1"])
      expect(log).toContainEqual(expect.stringMatching(new RegExp(`^${r}-gw: .*commit-confirm left armed`)));
    expect(log.some((l) => /lost the SSH connection|connect|refused/i.test(l))).toBe(true);

    // Each router alone: it records the revert once it has put the old key back and negotiated again.
    for (const r of ["hq", "branch1"])
      expect(await eventually(async () => (await confirmFiles(r, jobId)).includes("./reverted"), (CONFIRM_SECONDS + 10) * 1000)).toBe(true);
    expect(Date.now() - cut!).toBeLessThan((CONFIRM_SECONDS + 10) * 1000);
    for (const r of ["hq", "branch1"]) {
      const restoreLog = (await execInRouter(lab, r, ["cat", `${await timerDir(r, jobId)}/restore.log`])).stdout;
      expect(restoreLog).toMatch(/not confirmed: putting back the previous key/);
      expect(restoreLog).toMatch(new RegExp(`restored: ${tunnelId}$`, "m"));
    }
    // The old key on both routers, byte for byte; the database still calls it active (the new one stays pending until recovery).
    expect(await secretFiles()).toEqual(before);
    expect(await secretFiles()).toEqual(await activeKeyFiles());
    expect((await keyStatuses()).find((s) => s.endsWith(":active"))).toBe(activeBefore);
    // The tunnel carries LAN traffic, and a fresh IKE SA authenticates: both routers have the old key loaded.
    expect(await eventually(() => lanPingOk("branch1", "hq"), 30_000)).toBe(true);
    expect(await freshIkeSa("hq")).toBe(true);
    expect(await eventually(() => lanPingOk("hq", "branch1"), 30_000)).toBe(true);

    // sshd back: the recovery job queued by the rotation settles the pending key, and notes both routers' reverts in the rotation's log.
    await startSshd(getRouter(lab, "branch1"));
    const recoveries = await waitUntil(async () => {
      const jobs = await (
        await db()
      ).job.findMany({ where: { kind: "rotate-recover", targetId: tunnelId }, orderBy: { createdAt: "asc" } });
      return jobs.length && !jobs.some((j) => ["queued", "running"].includes(j.status)) ? jobs : null;
    }, 90_000);
    expect(recoveries.at(-1)!.status).toBe("succeeded");
    // While branch1 could not be reached the attempts went on past the schedule (one wait of 5 s: 2 attempts), never given up.
    expect(recoveries.length).toBeGreaterThan(2);
    const recoveryLogs = (await Promise.all(recoveries.map((j) => logOf(j.id)))).flat();
    expect(
      recoveryLogs.some((l) => /still stuck after the 2 scheduled attempts, retried at the longest wait until it settles/.test(l)),
    ).toBe(true);
    expect((await keyStatuses()).filter((s) => s.endsWith(":pending"))).toEqual([]);
    expect((await keyStatuses()).find((s) => s.endsWith(":active"))).toBe(activeBefore);
    const noted = await logOf(jobId);
    for (const r of ["hq", "branch1"])
      expect(noted).toContainEqual(expect.stringMatching(new RegExp(`^${r}-gw: commit-confirm reverted: ${r}-gw was not confirmed`)));
    expect(await secretFiles()).toEqual(await activeKeyFiles());

    const next = await runRotation(admin, [tunnelId]);
    expect(next.outcomes[0]).toMatchObject({ result: "rotated" });
    expect(await secretFiles()).toEqual(await activeKeyFiles());
    expect(await secretFiles()).not.toEqual(before);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    const left = await (await db()).job.findMany({ where: { status: { in: ["running", "queued"] } } });
    expect(left).toEqual([]);
  }, 240_000);

  it("stuck, but both routers answer again before the deadline: recovery takes both timers over before it sets the key, and nothing is put back after it", async () => {
    const cutter = cutAfterSwitch();
    const { jobId, outcomes } = await runRotation(admin, [tunnelId], {}, cutter.connect);
    expect(cutter.at()).not.toBeNull();
    expect(outcomes[0]).toMatchObject({ result: "stuck" });
    const armed = (await logOf(jobId)).find((l) => l.startsWith("branch1-gw: commit-confirm armed"))!;
    const deadline = Date.parse(/at (\S+Z) /.exec(armed)![1]!);
    await startSshd(getRouter(lab, "branch1"));
    const recoveries = await waitUntil(async () => {
      const jobs = await (
        await db()
      ).job.findMany({
        where: { kind: "rotate-recover", targetId: tunnelId, createdAt: { gt: new Date(cutter.at()!) } },
        orderBy: { createdAt: "asc" },
      });
      return jobs.length && !jobs.some((j) => ["queued", "running"].includes(j.status)) ? jobs : null;
    }, 60_000);
    expect(recoveries.at(-1)!.status).toBe("succeeded");
    // Settled before the routers' deadline, by taking their timers over first.
    expect(recoveries.at(-1)!.finishedAt!.getTime()).toBeLessThan(deadline);
    const log = await logOf(recoveries.at(-1)!.id);
    for (const r of ["hq", "branch1"])
      expect(log).toContainEqual(expect.stringMatching(new RegExp(`^${r}-gw: commit-confirm: .*took over from job ${jobId}'s timer`)));
    const files = await secretFiles();
    expect(files).toEqual(await activeKeyFiles());
    // Past the deadline: no router put anything back.
    await sleep(Math.max(0, deadline - Date.now()) + 5000);
    for (const r of ["hq", "branch1"]) {
      const left = await confirmFiles(r, jobId);
      expect(left).toContain("./confirmed");
      expect(left.filter((f) => /reverted|armed|pending\//.test(f))).toEqual([]);
    }
    expect(await secretFiles()).toEqual(files);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    expect((await keyStatuses()).filter((s) => s.endsWith(":pending"))).toEqual([]);
  }, 180_000);
});
