// Router lab API for integration tests, Playwright and the CLI (e2e/lab/cli.ts).
// Real emulated gateways in network namespaces; needs root. See README "Router lab".
//
// Exports:
//   startLab({ name?, sites, platforms?, backend?, log?, keepOnFailure? }) → LabState
//       backend "netns" (default: namespaces, libipsec, scales to ~100 routers) or
//       "vm" (QEMU micro-VMs with Debian's kernel: real XFRM IPsec, Libreswan);
//       builds the lab (or returns it if already up with the same shape);
//       on failure tears down what it built unless keepOnFailure.
//   stopLab(name?) → { found, stoppedPids }      every process, mount, namespace, veth, route
//   readLabState(name?) → LabState | null        parsed <labDir>/state.json
//   requireLabState(name?) → LabState            same, throws if the lab is not up
//   getRouter(state, nameOrSite) → RouterState
//   execInRouter(state, router, argv, { input? }) → { code, stdout, stderr }
//       runs argv inside the router (its netns + mount ns: its /etc, /run, charon)
//   execInHost(state, site, argv) → { code, stdout, stderr }     in the LAN host of a site
//   pingFromHost(state, site, dstIp, { count?, intervalMs?, waitSec? }) → { sent, received }
//   stopCharon(state, router) / startCharon(state, router) → pid   (health tests)
//   labStatus(state) → RouterStatus[]            addresses, daemons alive, PSS
//   sshArgv(state, router, remoteArgv) → argv of a real `ssh` with the management key
//       and the pinned host key (StrictHostKeyChecking=yes)
// `router` is a router name ("hq", "branch1", …), its site number or its netns;
// `site` likewise. Default lab name: "gwlab".
import { assertLabHostReady } from "./preflight";
import { DEFAULT_LAB_NAME, planLab, type Platform } from "./address-plan";
import { buildLab } from "./build";
import * as daemons from "./daemons";
import { run, type RunResult } from "./exec";
import { getRouter, readLabState as readState, writeLabState, type LabBackend, type LabState, type RouterState } from "./state";
import { qemuPidOf, remoteCommand } from "./vm/build-vm";
import { teardownLab, type DownResult } from "./teardown";

export type { LabBackend, LabState, RouterState } from "./state";
export type { Platform } from "./address-plan";
export type { RunResult } from "./exec";
export { getRouter } from "./state";

export interface StartLabOptions {
  name?: string;
  sites: number;
  platforms?: readonly Platform[];
  backend?: LabBackend;
  log?: (line: string) => void;
  keepOnFailure?: boolean;
}

export async function startLab(opts: StartLabOptions): Promise<LabState> {
  const name = opts.name ?? DEFAULT_LAB_NAME;
  const platforms = opts.platforms ?? ["strongswan"];
  const backend = opts.backend ?? "netns";
  const log = opts.log ?? (() => {});
  // Validate before touching an existing lab (a bad --sites must not tear it down).
  planLab({ name, sites: opts.sites, platforms, wanCidr: "198.18.0.0/24" });
  assertLabHostReady(); // nor a host without strongSwan/OpenSSH
  const existing = readState(name);
  if (existing) {
    if (
      existing.status === "up" &&
      (existing.backend ?? "netns") === backend &&
      sameShape(existing, opts.sites, platforms) &&
      allDaemonsAlive(existing)
    ) {
      log(`lab ${name} is already up`);
      return existing;
    }
    log(`lab ${name}: replacing the existing (${existing.status}) lab`);
    await teardownLab(name);
  }
  try {
    return await buildLab({ name, sites: opts.sites, platforms, backend, log });
  } catch (error) {
    const state = readState(name);
    if (state && opts.keepOnFailure) {
      state.status = "failed";
      writeLabState(state);
    } else if (state) {
      await teardownLab(name);
    }
    throw error;
  }
}

export function stopLab(name: string = DEFAULT_LAB_NAME): Promise<DownResult> {
  return teardownLab(name);
}

export function readLabState(name: string = DEFAULT_LAB_NAME): LabState | null {
  return readState(name);
}

export function requireLabState(name: string = DEFAULT_LAB_NAME): LabState {
  const state = readState(name);
  if (!state || state.status !== "up") throw new Error(`lab ${name} is not up (npm run lab -- up --lab ${name})`);
  return state;
}

function sameShape(state: LabState, sites: number, platforms: readonly Platform[]): boolean {
  return state.routers.length === sites && state.routers.every((r) => r.platform === platforms[(r.site - 1) % platforms.length]);
}

function allDaemonsAlive(state: LabState): boolean {
  if (state.backend === "vm") return state.routers.every((r) => qemuPidOf(r) !== undefined);
  return state.routers.every((r) => {
    const p = daemons.daemonPids(r);
    return p.sshd !== undefined && p.charon !== undefined;
  });
}

export function execInRouter(
  state: LabState,
  router: string | number,
  argv: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const r = getRouter(state, router);
  // A VM router is reached like a real one: over SSH with the lab's management key.
  if (r.vm) return run(sshArgv(state, r.name, [remoteCommand(argv)]), opts);
  return run(daemons.inRouterArgv(r, argv), opts);
}

export function execInHost(
  state: LabState,
  site: string | number,
  argv: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const r = getRouter(state, site);
  return run(["nsenter", `--net=/run/netns/${r.lanHost.netns}`, ...argv], opts);
}

/** Pings from a site's LAN host; returns packets sent and received (never throws on loss). */
export async function pingFromHost(
  state: LabState,
  site: string | number,
  dstIp: string,
  opts: { count?: number; intervalMs?: number; waitSec?: number } = {},
): Promise<{ sent: number; received: number }> {
  const count = opts.count ?? 3;
  const interval = ((opts.intervalMs ?? 200) / 1000).toFixed(3);
  const r = await execInHost(state, site, [
    "ping",
    "-n",
    "-q",
    "-c",
    String(count),
    "-i",
    interval,
    "-W",
    String(opts.waitSec ?? 1),
    dstIp,
  ]);
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
  return m ? { sent: Number(m[1]), received: Number(m[2]) } : { sent: 0, received: 0 };
}

/** Stops the router's IKE daemon (charon; pluto on a Libreswan VM router). */
export async function stopCharon(state: LabState, router: string | number): Promise<void> {
  const r = getRouter(state, router);
  if (!r.vm) return daemons.stopCharon(r);
  const argv =
    r.platform === "libreswan"
      ? ["ipsec", "whack", "--shutdown"]
      : ["sh", "-c", "pkill -x charon; while pgrep -x charon >/dev/null; do sleep 0.1; done"];
  await execInRouter(state, r.name, argv, { timeoutMs: 30_000 });
}

/** Starts the router's IKE daemon again; returns its pid (the QEMU pid on a VM router). */
export async function startCharon(state: LabState, router: string | number): Promise<number> {
  const r = getRouter(state, router);
  if (!r.vm) return daemons.startCharon(r);
  const argv =
    r.platform === "libreswan"
      ? ["/usr/libexec/ipsec/pluto", "--config", "/etc/ipsec.conf", "--logfile", "/gw/ike.log"]
      : [
          "sh",
          "-c",
          "setsid /usr/lib/ipsec/charon >> /gw/ike.log 2>&1 < /dev/null & while ! [ -S /var/run/charon.vici ]; do sleep 0.1; done",
        ];
  const out = await execInRouter(state, r.name, argv, { timeoutMs: 30_000 });
  if (out.code !== 0) throw new Error(`could not start the IKE daemon of ${r.name}: ${out.stderr.trim()}`);
  return qemuPidOf(r) ?? 0;
}

export interface RouterStatus {
  router: RouterState;
  sshd: number | undefined;
  charon: number | undefined;
  pssKb: number;
}

export function labStatus(state: LabState): RouterStatus[] {
  return state.routers.map((router) => {
    if (router.vm) {
      const pid = qemuPidOf(router);
      return { router, sshd: pid, charon: pid, pssKb: pid ? daemons.pssKb(pid) : 0 };
    }
    const p = daemons.daemonPids(router);
    const pssKb = (p.sshd ? daemons.pssKb(p.sshd) : 0) + (p.charon ? daemons.pssKb(p.charon) : 0);
    return { router, sshd: p.sshd, charon: p.charon, pssKb };
  });
}

export function sshArgv(state: LabState, router: string | number, remoteArgv: readonly string[]): string[] {
  const r = getRouter(state, router);
  return [
    "ssh",
    "-i",
    state.managementKey.privateKeyPath,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `UserKnownHostsFile=${state.knownHostsPath}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=5",
    "-p",
    String(r.sshPort),
    `${r.sshUser}@${r.publicIp}`,
    ...remoteArgv,
  ];
}
