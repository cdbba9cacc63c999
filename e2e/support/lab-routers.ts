// Which lab routers each spec drives, and the seeding around them. The lab's routers are
// shared by every spec of a run (E2E_LAB): each spec that deploys gets routers of its
// own, so no two specs ever configure the same router's ipsec0, and clears what the
// app put on them before and after, so it meets them as the lab built them whatever
// ran before it — alone, in order, or after a spec that failed half-way.
import { execInRouter, getRouter, requireLabState, startCharon, type LabState, type Platform } from "../lab/lab";
import { daemonPids } from "../lab/daemons";
import { labSwanctl } from "../lab/router-files";
import { runInApp } from "./app-process";
import type { ClearRequest, LabPair, SeedRequest, SeededPair } from "./lab-seed";

export { labGatewayOf, labSiteOf } from "./lab-seed";

/** A strongSwan pair and a CentOS/racoon pair (hub, then branch) per spec. */
export const LAB_ROUTERS = {
  "tunnel-deploy": { strongswan: { hub: "hq", branch: "branch1" }, "centos-racoon": { hub: "branch2", branch: "branch3" } },
  "tunnel-health": { strongswan: { hub: "branch4", branch: "branch5" }, "centos-racoon": { hub: "branch6", branch: "branch7" } },
  "tunnel-rotate": { strongswan: { hub: "branch8", branch: "branch9" }, "centos-racoon": { hub: "branch10", branch: "branch11" } },
  // rest-api.spec.ts creates these through the REST API itself; the list is for resetting them.
  api: { strongswan: { hub: "branch12", branch: "branch13" } },
  // Routers 14 and 15 are CentOS (the platforms cycle): ssh-credentials.spec.ts needs only their sshd.
  "ssh-credentials": { "centos-racoon": { hub: "branch14", branch: "branch15" } },
  "tunnel-stuck": { strongswan: { hub: "branch16", branch: "branch17" } },
} as const satisfies Record<string, Partial<Record<Platform, LabPair>>>;

export type LabSpec = keyof typeof LAB_ROUTERS;

/** The lab global-setup.ts builds: enough routers for every spec's pairs, platforms in the pairs' order. */
export const LAB_SHAPE = { sites: 18, platforms: ["strongswan", "strongswan", "centos-racoon", "centos-racoon"] } as const satisfies {
  sites: number;
  platforms: Platform[];
};

const pairsOf = (spec: LabSpec): LabPair[] => Object.values(LAB_ROUTERS[spec]);
const routersOf = (spec: LabSpec): string[] => pairsOf(spec).flatMap((p) => [p.hub, p.branch]);

/** Creates the spec's pairs in the app (sites, gateways, tunnels, PSKs, pinned host keys) and deploys them when asked. */
export async function seedLabTunnels(labName: string, spec: LabSpec, opts: { deploy: boolean }): Promise<SeededPair[]> {
  const request: SeedRequest = { lab: labName, pairs: pairsOf(spec), deploy: opts.deploy };
  return runInApp<SeededPair[]>("lab-seed.ts", ["add"], request);
}

/**
 * Resets the spec's routers: daemons running with their connections loaded, then
 * every tunnel the app has on them torn down and deleted with their sites.
 */
export async function resetLabRouters(labName: string, spec: LabSpec): Promise<void> {
  const lab = requireLabState(labName);
  await restartStoppedCharons(lab, routersOf(spec));
  const request: ClearRequest = { lab: labName, routers: routersOf(spec) };
  await runInApp("lab-seed.ts", ["clear"], request);
}

/** Starts charon again where a fault injection stopped it, and loads its connections (what a router's boot does). */
export async function restartStoppedCharons(lab: LabState, routers: readonly string[]): Promise<void> {
  for (const name of routers) {
    if (daemonPids(getRouter(lab, name)).charon !== undefined) continue;
    await startCharon(lab, name);
    await execInRouter(lab, name, [labSwanctl(getRouter(lab, name).platform), "--load-all"]);
  }
}
