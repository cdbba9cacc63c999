// One benchmark run over the fleet: each tool deploys all N tunnels from the empty
// state, rotates all N PSKs and polls health once; then the single-gateway limit. The
// order of the tools shifts from run to run, so a load drift on the shared machine does
// not always hit the same tool.
import { gatewardenDeploy, gatewardenHealth, gatewardenRotate, type JobTiming } from "./gatewarden-ops";
import { runAnsible } from "./ansible-ops";
import { reloadEnds, resetRouters, type BenchWorld } from "./lab-app";
import { measureDeployLimit, measureHealthLimit, measureHubCommandCost, measureRotateLimit, type Breakdown } from "./limit";

export type ToolTimes = {
  deployMs: number;
  rotateMs: number;
  healthMs: number;
  healthWarmMs?: number;
  jobs?: { deploy: JobTiming; rotate: JobTiming };
};
export type RunResult = {
  gatewarden: ToolTimes;
  ansible: Record<string, ToolTimes>;
  limit: {
    deployMs: number;
    rotateMs: number;
    healthMs: number;
    healthGateway: string;
    deployBreakdown: Breakdown;
    rotateBreakdown: Breakdown;
    /** Which gateway's share is the slower one, and both shares. */
    deployGateway?: string;
    rotateGateway?: string;
    shares?: { deploy: { hubMs: number; spokeMs: number }; rotate: { hubMs: number; spokeMs: number } };
  };
  hub: { connectMs: number; trueMs: number; listSasMs: number; uploadMs: number };
  loadavg: number[];
};

type Tool = { name: string; run(): Promise<ToolTimes> };

export async function runFleetOnce(
  world: BenchWorld,
  opts: { runIndex: number; forks: number[]; logDir: string; log: (l: string) => void },
): Promise<RunResult> {
  const { loadavg } = await import("node:os");
  const tools: Tool[] = [
    {
      name: "gatewarden",
      run: async () => {
        const deploy = await gatewardenDeploy(world);
        const rotate = await gatewardenRotate(world);
        await reloadEnds(world); // the rotation changed the active keys
        const health = await gatewardenHealth(world);
        const show = (j: JobTiming) =>
          `${Object.entries(j.phases)
            .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
            .join(", ")}; hub busy ${(j.hubBusyMs / 1000).toFixed(2)} s`;
        opts.log(`  gatewarden deploy job phases (s): ${show(deploy)}`);
        opts.log(`  gatewarden rotate job phases (s): ${show(rotate)}`);
        return { deployMs: deploy.ms, rotateMs: rotate.ms, healthMs: health.coldMs, healthWarmMs: health.warmMs, jobs: { deploy, rotate } };
      },
    },
    ...opts.forks.map((f) => ({
      name: `ansible-f${f}`,
      run: async () => {
        const deploy = await runAnsible(world, "deploy", f, opts.logDir);
        const rotate = await runAnsible(world, "rotate", f, opts.logDir);
        const health = await runAnsible(world, "health", f, opts.logDir);
        return { deployMs: deploy.ms, rotateMs: rotate.ms, healthMs: health.ms };
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
  const shares = (l: typeof deploy) => `hub ${(l.hubMs / 1000).toFixed(2)} s, spoke ${(l.spokeMs / 1000).toFixed(2)} s`;
  opts.log(
    `  limit (slowest gateway alone): deploy ${(deployMs / 1000).toFixed(2)} s, ${deploy.gateway} (${shares(deploy)}; ${show(deploy.breakdown)}), rotate ${(rotateMs / 1000).toFixed(2)} s, ${rotate.gateway} (${shares(rotate)}; ${show(rotate.breakdown)}), health ${(health.ms / 1000).toFixed(2)} s (${health.gateway})`,
  );
  opts.log(
    `  hub SSH: connect ${hub.connectMs.toFixed(0)} ms, exec true ${hub.trueMs.toFixed(0)} ms, exec swanctl --list-sas --raw ${hub.listSasMs.toFixed(0)} ms, upload ${hub.uploadMs.toFixed(0)} ms`,
  );
  return {
    gatewarden: times.get("gatewarden")!,
    ansible: Object.fromEntries(opts.forks.map((f) => [`f${f}`, times.get(`ansible-f${f}`)!])),
    limit: {
      deployMs,
      rotateMs,
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
