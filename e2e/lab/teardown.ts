// `lab down`: undoes everything in state.json's ledger, also after a failed `up`.
// Order: stop processes (by pid, TERM in parallel), drop root-namespace routes and
// the root veth, release mount namespaces, delete network namespaces. Every step
// tolerates "already gone", so `down` twice is safe.
import { existsSync, rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { daemonPids, isAlive, pidsInNetns, stopPids } from "./daemons";
import { run } from "./exec";
import { readLabState, statePath, type LabState } from "./state";

export interface DownResult {
  found: boolean;
  stoppedPids: number;
}

export async function teardownLab(name: string): Promise<DownResult> {
  const state = readLabState(name);
  if (!state) return { found: false, stoppedPids: 0 };
  const stoppedPids = await stopLabProcesses(state);

  const { created } = state;
  if (created.rootVeth) {
    await run(["ip", "-force", "-batch", "-"], {
      input: created.rootRoutes.map((r) => `route del ${r} dev ${created.rootVeth}`).join("\n") + "\n",
    });
    await run(["ip", "link", "del", created.rootVeth]);
  }
  for (const file of created.mountNs) await unmount(file);
  if (created.netns.length) {
    await run(["ip", "-force", "-batch", "-"], { input: created.netns.map((ns) => `netns del ${ns}`).join("\n") + "\n" });
  }
  if (created.nsDir) {
    await unmount(created.nsDir);
    rmSync(created.nsDir, { recursive: true, force: true });
    try {
      rmdirSync(path.dirname(created.nsDir)); // only when no other lab uses it
    } catch {
      // another lab is up, or already gone
    }
  }
  // Runtime files go; the management key and router host keys stay for the next `up`.
  rmSync(path.join(state.labDir, "routers"), { recursive: true, force: true });
  rmSync(statePath(name), { force: true });
  return { found: true, stoppedPids };
}

async function stopLabProcesses(state: LabState): Promise<number> {
  const targets = new Map<number, string | undefined>();
  for (const r of state.routers) {
    if (r.pids.sshd) targets.set(r.pids.sshd, "sshd");
    if (r.pids.charon) targets.set(r.pids.charon, "charon");
    const now = daemonPids(r);
    if (now.sshd) targets.set(now.sshd, "sshd");
    if (now.charon) targets.set(now.charon, "charon");
  }
  // Anything else still running inside the lab's own namespaces (SSH sessions,
  // pings left by a test): found by namespace, stopped by pid.
  const inNs = await Promise.all(state.created.netns.map((ns) => pidsInNetns(ns)));
  for (const pid of inNs.flat()) if (!targets.has(pid)) targets.set(pid, undefined);
  const list = [...targets].map(([pid, comm]) => ({ pid, ...(comm ? { comm } : {}) })).filter((t) => isAlive(t.pid, t.comm));
  await stopPids(list);
  return list.length;
}

async function unmount(target: string): Promise<void> {
  if (!existsSync(target)) return;
  for (let i = 0; i < 20; i++) {
    const r = await run(["umount", target]);
    if (r.code === 0 || /not mounted|no mount point/i.test(r.stderr)) break;
    await new Promise((res) => setTimeout(res, 100));
    if (i === 19) await run(["umount", "-l", target]);
  }
  if (!target.endsWith(".mnt")) return;
  rmSync(target, { force: true });
}
