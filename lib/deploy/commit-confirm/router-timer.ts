// Arms, confirms and reads back the router-side commit-confirm timer (script.ts) over a
// RouterIO: the script and the old copies of secret files go up over SFTP (0700/0600,
// nothing on a command line), then one argv starts the timer.
import { randomBytes } from "node:crypto";
import type { RouterIO } from "@/lib/deploy/router-io";
import {
  armedPath,
  confirmDir,
  CONFIRM_ROOT,
  detachedTimerArgv,
  FIND_REVERTED,
  findPendingKeyTimers,
  pendingTimerIds,
  parseRevertedRecord,
  pidPath,
  renderKeyRestoreScript,
  renderRestoreScript,
  type KeyRestorePlan,
  revertedJobIds,
  scriptPath,
  SYSTEMD_PROBE,
  systemdTimerArgv,
  unitName,
  type RestorePlan,
} from "@/lib/deploy/commit-confirm/script";

export type ArmedTimer = { jobId: string; token: string; seconds: number; deadline: Date; how: string };

export const newToken = () => randomBytes(16).toString("hex");

/**
 * Uploads the script (and `secrets`: old copies of secret files, kept only for the
 * window) and starts the timer. Throws when the timer did not start: the caller then
 * must not change the router.
 */
export async function armTimer(io: RouterIO, plan: RestorePlan, secrets: { path: string; content: string }[]): Promise<ArmedTimer> {
  return startTimer(io, plan, renderRestoreScript(plan), secrets);
}

/**
 * Arms a key rotation's timer on one router (renderKeyRestoreScript): the old copies of
 * the tunnels' secret files (0600, over SFTP), the script, one pending marker per tunnel.
 */
export async function armKeyTimer(io: RouterIO, plan: KeyRestorePlan, secrets: { path: string; content: string }[]): Promise<ArmedTimer> {
  return startTimer(io, plan, renderKeyRestoreScript(plan), secrets, ["/bin/sh", scriptPath(plan.jobId), "init", plan.token]);
}

/** Confirms one tunnel of a key timer: "disarmed" when it was the last one pending (the timer is gone). */
export async function confirmKeyTunnel(
  io: RouterIO,
  timer: Pick<ArmedTimer, "jobId" | "token">,
  tunnelId: string,
): Promise<"confirmed" | "disarmed" | "reverted"> {
  const out = await io.exec(["/bin/sh", scriptPath(timer.jobId), "confirm", timer.token, tunnelId], { timeoutMs: 15_000 });
  const said = out.stdout.trim();
  if (out.exitCode === 0 && (said === "confirmed" || said === "disarmed")) return said;
  if (out.exitCode === 3 && said === "reverted") return "reverted";
  throw new Error(`could not confirm: exit ${out.exitCode}: ${(out.stderr || out.stdout).trim().split("\n").pop() ?? ""}`);
}

async function startTimer(
  io: RouterIO,
  plan: Pick<RestorePlan, "jobId" | "token" | "seconds">,
  script: string,
  secrets: { path: string; content: string }[],
  init?: string[],
): Promise<ArmedTimer> {
  await io.ensureDir(CONFIRM_ROOT, 0o700);
  await io.ensureDir(confirmDir(plan.jobId), 0o700);
  for (const s of secrets) {
    await io.ensureDir(s.path.slice(0, s.path.lastIndexOf("/")), 0o700);
    await io.uploadFile({ path: s.path, content: s.content, mode: 0o600 });
  }
  await io.uploadFile({ path: scriptPath(plan.jobId), content: script, mode: 0o700 });
  if (init) {
    const out = await io.exec(init, { timeoutMs: 15_000 });
    if (out.exitCode !== 0)
      throw new Error(`could not arm the commit-confirm timer: ${(out.stderr || out.stdout).trim().split("\n").pop()}`);
  }
  await io.uploadFile({ path: armedPath(plan.jobId), content: `${plan.token}\n`, mode: 0o600 });
  const systemd = (await io.exec(SYSTEMD_PROBE, { timeoutMs: 10_000 })).exitCode === 0;
  const started = Date.now();
  const argv = systemd ? systemdTimerArgv(plan) : detachedTimerArgv(plan);
  const out = await io.exec(argv, { timeoutMs: 15_000 });
  if (out.exitCode !== 0) throw new Error(`could not arm the commit-confirm timer: ${(out.stderr || out.stdout).trim().split("\n").pop()}`);
  let how = `systemd timer ${unitName(plan.jobId)}.timer`;
  if (!systemd) {
    let pid: string | null = null;
    for (let i = 0; i < 40 && !pid; i++) {
      pid = (await io.readFile(pidPath(plan.jobId)))?.trim() || null;
      if (!pid) await new Promise((r) => setTimeout(r, 50));
    }
    if (!pid || !/^\d+$/.test(pid)) throw new Error("could not arm the commit-confirm timer: its process did not start");
    how = `detached process ${pid}`;
  }
  return { jobId: plan.jobId, token: plan.token, seconds: plan.seconds, deadline: new Date(started + plan.seconds * 1000), how };
}

/** Confirms: "confirmed" (timer disarmed), or "reverted" when the timer had already restored the router. */
export async function disarmTimer(io: RouterIO, timer: Pick<ArmedTimer, "jobId" | "token">): Promise<"confirmed" | "reverted"> {
  const out = await io.exec(["/bin/sh", scriptPath(timer.jobId), "disarm", timer.token], { timeoutMs: 15_000 });
  const said = out.stdout.trim();
  if (out.exitCode === 0 && said === "confirmed") return "confirmed";
  if (out.exitCode === 3 && said === "reverted") return "reverted";
  throw new Error(`could not confirm: exit ${out.exitCode}: ${(out.stderr || out.stdout).trim().split("\n").pop() ?? ""}`);
}

/** The key timers on this router with `tunnelId` still pending (not confirmed, not restored), with their tokens. */
export async function pendingKeyTimers(io: RouterIO, tunnelId: string): Promise<Pick<ArmedTimer, "jobId" | "token">[]> {
  const out = await io.exec(findPendingKeyTimers(tunnelId), { timeoutMs: 10_000 });
  if (out.exitCode !== 0) return [];
  const timers: Pick<ArmedTimer, "jobId" | "token">[] = [];
  for (const jobId of pendingTimerIds(out.stdout, tunnelId)) {
    const token = (await io.readFile(armedPath(jobId)))?.trim() ?? "";
    if (/^[0-9a-f]{32}$/.test(token)) timers.push({ jobId, token });
  }
  return timers;
}

export type RevertedRecord = { jobId: string; at: string; tunnelIds: string[] };

/** The reverts this router did that Gatewarden has not taken note of yet. */
export async function listReverted(io: RouterIO): Promise<RevertedRecord[]> {
  const out = await io.exec(FIND_REVERTED, { timeoutMs: 10_000 });
  // No confirm directory yet: nothing was ever armed here.
  if (out.exitCode !== 0) return [];
  const records: RevertedRecord[] = [];
  for (const jobId of revertedJobIds(out.stdout)) {
    const parsed = parseRevertedRecord((await io.readFile(`${confirmDir(jobId)}/reverted`)) ?? "");
    if (parsed) records.push({ jobId, ...parsed });
  }
  return records;
}

/** Marks a revert as noted, so the next contact does not report it again. */
export async function markRevertNoted(io: RouterIO, jobId: string): Promise<void> {
  const out = await io.exec(["mv", "-f", `${confirmDir(jobId)}/reverted`, `${confirmDir(jobId)}/reverted.noted`], { timeoutMs: 10_000 });
  if (out.exitCode !== 0) throw new Error(`could not mark the revert of job ${jobId} as noted: ${out.stderr.trim()}`);
}
