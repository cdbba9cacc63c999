// One benchmark run over the fleet: each tool deploys all N tunnels from the empty
// state, rotates all N PSKs and polls health once; then the single-gateway limit. The
// order of the tools shifts from run to run, so a load drift on the shared machine does
// not always hit the same tool.
import { gatewardenDeploy, gatewardenHealth, gatewardenRotate, withParallelGateways, type JobTiming } from "./gatewarden-ops";
import { runAnsible, type AnsibleStyle } from "./ansible-ops";
import { measureLoad, type LoadDuring } from "./load-meter";
import { reloadEnds, resetRouters, type BenchWorld } from "./lab-app";
import { measureYardstick, type Yardstick } from "./yardstick";
import { measureDeployLimit, measureHealthLimit, measureHubCommandCost, measureRotateLimit, type Breakdown } from "./limit";

export type ToolTimes = {
  deployMs: number;
  rotateMs: number;
  healthMs: number;
  healthWarmMs?: number;
  jobs?: { deploy: JobTiming; rotate: JobTiming };
  /** The machine's load during each operation. */
  load?: { deploy: LoadDuring; rotate: LoadDuring; health: LoadDuring };
};

/** An Ansible column: its style and forks; keyed "f5", "f21" (straightforward), "expert-f5", "mitogen-f21", … */
export type AnsibleColumn = { style: AnsibleStyle; forks: number };
export const columnKey = (c: AnsibleColumn) => `${c.style === "straightforward" ? "" : `${c.style}-`}f${c.forks}`;
export type RunResult = {
  /** Gatewarden at its default parallelism (GATEWARDEN_PARALLEL_GATEWAYS). */
  gatewarden: ToolTimes;
  /** Gatewarden at the parallelism of a smaller Ansible column ("p5": 5 routers at once, health 5 gateways at once). */
  gatewardenAt?: Record<string, ToolTimes>;
  ansible: Record<string, ToolTimes>;
  limit: {
    deployMs: number;
    rotateMs: number;
    healthMs: number;
    healthGateway: string;
    deployBreakdown: Breakdown;
    rotateBreakdown: Breakdown;
    /** The slowest gateway's share done alone through Gatewarden's code (the limit before the yardstick). */
    aloneDeployMs?: number;
    aloneRotateMs?: number;
    /** Which gateway's share is the slower one, and both shares. */
    deployGateway?: string;
    rotateGateway?: string;
    shares?: { deploy: { hubMs: number; spokeMs: number }; rotate: { hubMs: number; spokeMs: number } };
  };
  hub: { connectMs: number; trueMs: number; listSasMs: number; uploadMs: number };
  /** The limit independent of the job (bench/lib/yardstick.ts): limit.deployMs / rotateMs are its values. */
  yardstick?: { deploy: Yardstick; rotate: Yardstick };
  loadavg: number[];
};

type Tool = { name: string; run(): Promise<ToolTimes> };

export async function runFleetOnce(
  world: BenchWorld,
  opts: {
    runIndex: number;
    columns: AnsibleColumn[];
    logDir: string;
    log: (l: string) => void;
    routerCores: number;
    /** GATEWARDEN_PARALLEL_GATEWAYS as the process has it, and the routers of the fleet. */
    defaultParallel: number;
    routers: number;
  },
): Promise<RunResult> {
  const { loadavg } = await import("node:os");
  const gatewardenAt = (parallel: number | null) => async (): Promise<ToolTimes> =>
    withParallelGateways(parallel, async () => {
      const deploy = await measureLoad(() => gatewardenDeploy(world));
      const rotate = await measureLoad(() => gatewardenRotate(world));
      await reloadEnds(world); // the rotation changed the active keys
      const health = await measureLoad(() => gatewardenHealth(world, parallel ?? undefined));
      const show = (j: JobTiming) =>
        `${Object.entries(j.phases)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
          .join(", ")}; hub busy ${(j.hubBusyMs / 1000).toFixed(2)} s`;
      const who = parallel === null ? "gatewarden" : `gatewarden-p${parallel}`;
      opts.log(`  ${who} deploy job phases (s): ${show(deploy.result)}`);
      opts.log(`  ${who} rotate job phases (s): ${show(rotate.result)}`);
      return {
        deployMs: deploy.result.ms,
        rotateMs: rotate.result.ms,
        healthMs: health.result.coldMs,
        healthWarmMs: health.result.warmMs,
        jobs: { deploy: deploy.result, rotate: rotate.result },
        load: { deploy: deploy.load, rotate: rotate.load, health: health.load },
      };
    });
  // Gatewarden at the parallelism of each Ansible column it is compared with, besides its default.
  const parallels = [...new Set(opts.columns.map((c) => c.forks))].filter((f) => f < Math.min(opts.defaultParallel, opts.routers));
  const tools: Tool[] = [
    { name: "gatewarden", run: gatewardenAt(null) },
    ...parallels.map((p) => ({ name: `gatewarden-p${p}`, run: gatewardenAt(p) })),
    ...opts.columns.map((c) => ({
      name: `ansible-${columnKey(c)}`,
      run: async () => {
        const op = (o: "deploy" | "rotate" | "health") => measureLoad(() => runAnsible(world, o, c.forks, opts.logDir, c.style));
        const deploy = await op("deploy");
        const rotate = await op("rotate");
        const health = await op("health");
        return {
          deployMs: deploy.result.ms,
          rotateMs: rotate.result.ms,
          healthMs: health.result.ms,
          load: { deploy: deploy.load, rotate: rotate.load, health: health.load },
        };
      },
    })),
  ];
  const shift = opts.runIndex % tools.length;
  const ordered = [...tools.slice(shift), ...tools.slice(0, shift)];
  const times = new Map<string, ToolTimes>();
  for (const t of ordered) {
    await resetRouters(world);
    const r = await t.run();
    times.set(t.name, r);
    opts.log(
      `  ${t.name}: deploy ${(r.deployMs / 1000).toFixed(2)} s, rotate ${(r.rotateMs / 1000).toFixed(2)} s, health ${(r.healthMs / 1000).toFixed(2)} s`,
    );
  }
  const deploy = await measureDeployLimit(world);
  const rotate = await measureRotateLimit(world);
  const [deployMs, rotateMs] = [deploy.ms, rotate.ms];
  const show = (b: Breakdown) =>
    Object.entries(b)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
      .join(", ");
  const health = await measureHealthLimit(world);
  const hub = await measureHubCommandCost(world);
  const yardstick = await measureYardstick(world, opts.routerCores);
  const showY = (y: Yardstick) =>
    `${(y.ms / 1000).toFixed(2)} s (${y.bound}; critical path ${(y.criticalPath.ms / 1000).toFixed(2)} s: ${Object.entries(
      y.criticalPath.steps,
    )
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
      .join(", ")}; router CPU ${(y.routerCpu.cpuMs / 1000).toFixed(2)} s on ${y.routerCpu.cores} core(s))`;
  opts.log(`  yardstick: deploy ${showY(yardstick.deploy)}`);
  opts.log(`  yardstick: rotate ${showY(yardstick.rotate)}`);
  const shares = (l: typeof deploy) => `hub ${(l.hubMs / 1000).toFixed(2)} s, spoke ${(l.spokeMs / 1000).toFixed(2)} s`;
  opts.log(
    `  limit (slowest gateway alone): deploy ${(deployMs / 1000).toFixed(2)} s, ${deploy.gateway} (${shares(deploy)}; ${show(deploy.breakdown)}), rotate ${(rotateMs / 1000).toFixed(2)} s, ${rotate.gateway} (${shares(rotate)}; ${show(rotate.breakdown)}), health ${(health.ms / 1000).toFixed(2)} s (${health.gateway})`,
  );
  opts.log(
    `  hub SSH: connect ${hub.connectMs.toFixed(0)} ms, exec true ${hub.trueMs.toFixed(0)} ms, exec swanctl --list-sas --raw ${hub.listSasMs.toFixed(0)} ms, upload ${hub.uploadMs.toFixed(0)} ms`,
  );
  return {
    gatewarden: times.get("gatewarden")!,
    gatewardenAt: Object.fromEntries(parallels.map((p) => [`p${p}`, times.get(`gatewarden-p${p}`)!])),
    ansible: Object.fromEntries(opts.columns.map((c) => [columnKey(c), times.get(`ansible-${columnKey(c)}`)!])),
    yardstick,
    limit: {
      deployMs: yardstick.deploy.ms,
      rotateMs: yardstick.rotate.ms,
      aloneDeployMs: deployMs,
      aloneRotateMs: rotateMs,
      healthMs: health.ms,
      healthGateway: health.gateway,
      deployBreakdown: deploy.breakdown,
      rotateBreakdown: rotate.breakdown,
      deployGateway: deploy.gateway,
      rotateGateway: rotate.gateway,
      shares: { deploy: { hubMs: deploy.hubMs, spokeMs: deploy.spokeMs }, rotate: { hubMs: rotate.hubMs, spokeMs: rotate.spokeMs } },
    },
    hub,
    loadavg: loadavg(),
  };
}
