// Fair CPU on the benchmark's 2 cores: every router daemon (sshd, charon, and so every
// SSH session and command they start) on one core, the controllers on the other — the
// benchmark process (Gatewarden's jobs run in it) and the ansible-playbook processes it
// spawns, which inherit its affinity. `taskset -a` pins every thread of a process.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import type { BenchWorld } from "./lab-app";

export type Pinning = { pinned: true; controllerCpus: string; routerCpus: string; routerPids: number } | { pinned: false; why: string };

export async function pinCpus(world: BenchWorld): Promise<Pinning> {
  const n = cpus().length;
  if (n < 2) return { pinned: false, why: `${n} core: nothing to split` };
  const { labStatus } = await import("@/e2e/lab/lab");
  const [controllerCpus, routerCpus] = ["0", n === 2 ? "1" : `1-${n - 1}`];
  const pids = labStatus(world.lab).flatMap((s) => [s.sshd, s.charon].filter((p): p is number => p !== undefined));
  if (pids.length !== 2 * world.lab.routers.length)
    return { pinned: false, why: `found ${pids.length} router daemons for ${world.lab.routers.length} routers` };
  for (const pid of pids) execFileSync("taskset", ["-a", "-p", "-c", routerCpus, String(pid)], { stdio: "ignore" });
  execFileSync("taskset", ["-a", "-p", "-c", controllerCpus, String(process.pid)], { stdio: "ignore" });
  return { pinned: true, controllerCpus, routerCpus, routerPids: pids.length };
}
