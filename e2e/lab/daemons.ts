// Starting, checking and stopping the two daemons of a lab router (sshd and charon),
// always inside the router's own network + mount namespaces, always by pid.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { run, runDetached, sleep } from "./exec";
import type { RouterState } from "./state";

export type DaemonName = "sshd" | "charon";

/** argv prefix that runs a program inside a router (its netns and its mount ns). */
export function inRouterArgv(router: Pick<RouterState, "mountNs" | "netns">, argv: readonly string[]): string[] {
  return ["nsenter", `--mount=${router.mountNs}`, `--net=/run/netns/${router.netns}`, ...argv];
}

/** True if pid runs (zombies count as gone) and, when given, its comm matches. */
export function isAlive(pid: number | undefined, comm?: string): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
    if (comm && readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== comm) return false;
    return true;
  } catch {
    return false;
  }
}

function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

const runDir = (router: RouterState) => path.join(router.dir, "run");

export async function startSshd(router: RouterState): Promise<number> {
  const pidFile = path.join(runDir(router), "sshd.pid");
  const old = readPidFile(pidFile);
  if (isAlive(old, "sshd")) return old!;
  rmSync(pidFile, { force: true });
  const code = await runDetached(inRouterArgv(router, ["/usr/sbin/sshd", "-f", "/etc/ssh/sshd_config"]));
  if (code !== 0) throw new Error(`sshd of ${router.name} exited with ${code} (check with: sshd -t in the router)`);
  let pid: number | undefined;
  await waitFor(() => isAlive((pid = readPidFile(pidFile)), "sshd"), 5000);
  if (!pid) throw new Error(`sshd of ${router.name} did not start`);
  return pid;
}

export async function startCharon(router: RouterState): Promise<number> {
  const pidFile = path.join(runDir(router), "charon.pid");
  const vici = path.join(runDir(router), "charon.vici");
  const old = readPidFile(pidFile);
  if (isAlive(old, "charon")) return old!;
  rmSync(pidFile, { force: true });
  rmSync(vici, { force: true });
  await runDetached(inRouterArgv(router, ["env", `STRONGSWAN_CONF=${router.charonConf}`, "setsid", "-f", "/usr/lib/ipsec/charon"]));
  let pid: number | undefined;
  const ok = await waitFor(() => isAlive((pid = readPidFile(pidFile)), "charon") && existsSync(vici), 8000);
  if (!ok || !pid) throw new Error(`charon of ${router.name} did not start (see ${path.join(runDir(router), "charon.log")})`);
  return pid;
}

/** TERM all pids at once, wait, then KILL what is left. Ignores zombies and foreign pids. */
export async function stopPids(targets: readonly { pid: number; comm?: string }[], timeoutMs = 5000): Promise<void> {
  const alive = () => targets.filter((t) => isAlive(t.pid, t.comm));
  for (const t of alive()) {
    try {
      process.kill(t.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  if (await waitFor(() => alive().length === 0, timeoutMs)) return;
  for (const t of alive()) {
    try {
      process.kill(t.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await waitFor(() => alive().length === 0, 2000);
}

export async function stopCharon(router: RouterState): Promise<void> {
  const pid = readPidFile(path.join(runDir(router), "charon.pid"));
  if (pid) await stopPids([{ pid, comm: "charon" }]);
}

export function daemonPids(router: RouterState): { sshd?: number; charon?: number } {
  const sshd = readPidFile(path.join(runDir(router), "sshd.pid"));
  const charon = readPidFile(path.join(runDir(router), "charon.pid"));
  return {
    ...(isAlive(sshd, "sshd") ? { sshd } : {}),
    ...(isAlive(charon, "charon") ? { charon } : {}),
  };
}

/** Proportional set size in kB (0 if the process is gone). */
export function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Pids of every process whose network namespace is `netns` (`ip netns pids`). */
export async function pidsInNetns(netns: string): Promise<number[]> {
  const r = await run(["ip", "netns", "pids", netns]);
  if (r.code !== 0) return [];
  return r.stdout
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}
