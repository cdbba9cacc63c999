// Where a lab keeps its files and the shape of its state.json. state.json is
// written incrementally while `up` runs (its `created` ledger lists everything the
// lab made), so `down` can clean up after a failed or interrupted `up`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Platform } from "./address-plan";

export interface RouterState {
  name: string;
  site: number;
  platform: Platform;
  netns: string;
  publicIp: string;
  sshPort: number;
  sshUser: "root";
  hostPublicKey: string;
  hostKeyFingerprint: string;
  wanInterface: string;
  lanInterface: string;
  lanCidr: string;
  lanAddress: string;
  lanHost: { netns: string; ip: string };
  /** Persistent mount namespace file (nsenter --mount=...). */
  mountNs: string;
  /** Host directory holding this router's /run, /etc/ssh, /etc/swanctl, ... */
  dir: string;
  /** Full path of the charon config this router's charon runs with (STRONGSWAN_CONF). */
  charonConf: string;
  pids: { sshd?: number; charon?: number };
  /** VM backend only: the router is a QEMU micro-VM on these taps in the WAN namespace. */
  vm?: { wanTap: string; lanTap: string; qemuPid?: number; bootSeconds?: number };
}

/** netns: routers are network + mount namespaces (libipsec); vm: QEMU micro-VMs with kernel IPsec. */
export type LabBackend = "netns" | "vm";

export interface LabState {
  version: 1;
  name: string;
  status: "building" | "up" | "failed";
  /** Absent in state files written before the VM backend: netns. */
  backend?: LabBackend;
  createdAt: string;
  labDir: string;
  wan: { netns: string; cidr: string; bridgeAddress: string; rootVeth: string; rootAddress: string };
  managementKey: { privateKeyPath: string; publicKeyPath: string; publicKey: string };
  /** known_hosts file pinning every router's host key. */
  knownHostsPath: string;
  routers: RouterState[];
  /** Teardown ledger: what this lab created, recorded before it is created. */
  created: {
    nsDir?: string;
    netns: string[];
    mountNs: string[];
    rootVeth?: string;
    rootRoutes: string[];
  };
}

const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..");

/** `<repo>/.lab/<name>`, or `$GATEWARDEN_LAB_DIR/<name>`. */
export function labDir(name: string): string {
  const base = process.env.GATEWARDEN_LAB_DIR || path.join(REPO_ROOT, ".lab");
  return path.resolve(base, name);
}

/** Mount-namespace files need a private mount: kept outside the repo. */
export function nsDir(name: string): string {
  return path.join("/run/gatewarden-lab", name);
}

export function statePath(name: string): string {
  return path.join(labDir(name), "state.json");
}

export function readLabState(name: string): LabState | null {
  const file = statePath(name);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as LabState;
}

export function writeLabState(state: LabState): void {
  mkdirSync(state.labDir, { recursive: true });
  const file = statePath(state.name);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  renameSync(tmp, file);
}

export function getRouter(state: LabState, router: string | number): RouterState {
  const r = state.routers.find((x) => x.name === router || x.site === router || x.netns === router);
  if (!r) throw new Error(`lab ${state.name} has no router ${router}`);
  return r;
}
