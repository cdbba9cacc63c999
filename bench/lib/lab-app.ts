// The fleet benchmark's world: a router lab (hub "hq" + N strongSwan spokes) in its own
// network namespaces, a fresh temporary app database with the lab registered
// hub-and-spoke, and the reset that returns every router to the empty state before
// each tool's run (the same reset for Gatewarden and Ansible, never timed).
import type { LabState, RouterState } from "@/e2e/lab/lab";
import type { CommandResult } from "@/lib/platforms/contract";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { JobActor } from "@/lib/jobs/types";
import { mapBounded } from "@/lib/jobs/concurrency";

export type BenchWorld = {
  lab: LabState;
  actor: JobActor;
  dataDir: string;
  tunnelIds: string[];
  gatewayIds: Map<string, string>;
  /** Every tunnel's two ends with the active key, as the platforms render them. */
  ends: Map<string, [RenderableEnd, RenderableEnd]>;
  routerOf(end: RenderableEnd): RouterState;
};

export async function setUpWorld(opts: { labName: string; spokes: number; log: (l: string) => void }): Promise<BenchWorld> {
  const { startLab } = await import("@/e2e/lab/lab");
  const { freshAppDatabase, createAdmin } = await import("@/e2e/support/app-db");
  const { registerLab, gatewayNameOf } = await import("@/e2e/lab/register");
  const lab = await startLab({ name: opts.labName, sites: opts.spokes + 1, platforms: ["strongswan"], log: opts.log });
  const { dataDir } = await freshAppDatabase();
  const actor = await createAdmin();
  const { gatewayIds, tunnelIds } = await registerLab(lab, actor, { tunnels: "hub-and-spoke" });
  const world: BenchWorld = {
    lab,
    actor,
    dataDir,
    tunnelIds,
    gatewayIds,
    ends: new Map(),
    routerOf: (end) => {
      const r = lab.routers.find((x) => gatewayNameOf(x) === end.gatewayName);
      if (!r) throw new Error(`no lab router for gateway ${end.gatewayName}`);
      return r;
    },
  };
  await reloadEnds(world);
  return world;
}

/** Re-reads every tunnel's ends (the active key changes with each rotation). */
export async function reloadEnds(world: BenchWorld): Promise<void> {
  const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
  for (const id of world.tunnelIds) {
    const loaded = await loadTunnelEnds(id);
    if (!loaded) throw new Error(`tunnel ${id} vanished`);
    world.ends.set(id, loaded.ends);
  }
}

/** Each router's ends (hub: N, spoke: 1), keyed by router name. */
export function endsByRouter(world: BenchWorld): Map<string, RenderableEnd[]> {
  const out = new Map<string, RenderableEnd[]>();
  for (const pair of world.ends.values()) {
    for (const e of pair) {
      const name = world.routerOf(e).name;
      out.set(name, [...(out.get(name) ?? []), e]);
    }
  }
  return out;
}

/**
 * Every router back to empty: the benchmark's tunnel files removed, connections
 * unloaded (`swanctl --load-all`), any SA still up terminated, deploy backups removed;
 * then checked (no IKE SA of the benchmark's tunnels left, by the platform's SA listing).
 * Run locally in each router's namespaces.
 */
export async function resetRouters(world: BenchWorld, only?: string[]): Promise<void> {
  const { execInRouter } = await import("@/e2e/lab/lab");
  const byRouter = endsByRouter(world);
  const routers = world.lab.routers.filter((r) => !only || only.includes(r.name));
  await mapBounded(routers, 8, async (r) => {
    const conns = (byRouter.get(r.name) ?? []).map((e) => e.end.connectionName);
    const files = conns.flatMap((c) => [`/etc/swanctl/conf.d/${c}.conf`, `/etc/swanctl/conf.d/${c}.secrets.conf`]);
    const script = [
      `rm -f ${files.join(" ")}`,
      "rm -rf /var/lib/gatewarden/backups",
      "swanctl --load-all >/dev/null 2>&1",
      `for c in ${conns.join(" ")}; do swanctl --terminate --ike "$c" --force --timeout 3 >/dev/null 2>&1; done`,
      "true",
    ].join("\n");
    await execInRouter(world.lab, r.name, ["sh", "-c", script], { timeoutMs: 60_000 });
  });
  const { getPlatform } = await import("@/lib/platforms");
  const left = await mapBounded(routers, 8, async (r) => {
    const ends = byRouter.get(r.name) ?? [];
    if (!ends.length) return null;
    // The platform's own SA listing, read per tunnel; a listing that fails cannot show the router clean.
    const platform = getPlatform(ends[0]!.platform);
    const results: CommandResult[] = [];
    for (const c of platform.saListCommands(ends[0]!.end)) {
      const out = await execInRouter(world.lab, r.name, c.argv, { timeoutMs: 15_000 });
      results.push({ stdout: out.stdout, stderr: out.stderr, exitCode: out.code });
    }
    const sas = ends.map((e) => platform.parseSaList(e.end, results));
    return sas.some((list) => list === null || list.some((sa) => sa.state === "ESTABLISHED" || sa.state === "CONNECTING")) ? r.name : null;
  });
  const dirty = left.filter(Boolean);
  if (dirty.length) throw new Error(`reset: IKE SAs still up on ${dirty.join(", ")}`);
}
