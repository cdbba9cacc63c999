// `npm run bench -- --spokes N [--runs R]`: Gatewarden against Ansible on a real router
// lab (hub + N strongSwan spokes, network namespaces; needs root and
// scripts/bench-install.sh), PSK rotation interruption per platform, and the overview
// page with 1,000 vs 10 tunnels. Writes bench/results/<YYYY-MM-DD>.md and prints a
// summary. Everything is bounded; the labs are removed at the end, also on failure.
//   --spokes N (20)  --runs R (3)  --columns f5,expert-f21,…  --no-pin  --skip-ansible  --skip-fleet  --skip-interruption  --skip-overview
// (bench/lib/run-args.ts; an unknown option stops it with the usage, exit code 2)
import { mkdirSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { runFleetOnce, type AnsibleColumn, type RunResult } from "./lib/fleet";
import { pinCpus } from "./lib/pinning";
import { collectProvenance, type Provenance } from "./lib/provenance";
import { measureInterruption, type InterruptionResult } from "./lib/interruption";
import { measureOverview, type OverviewResult } from "./lib/overview";
import { printSummary, writeReport } from "./lib/report";
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from "./lib/run-args";

// The lab's namespaces are named after it; a helper's run uses its own name so two runs do not collide.
const LAB = process.env.GWBENCH_LAB ?? "gwbench";

/** "1" → 1, "1-3" → 3. */
const cpuCount = (list: string) =>
  list.split(",").reduce((n, part) => {
    const [a, b] = part.split("-").map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);

const log = (l: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${l}`);

async function fleet(opts: BenchOptions, logDir: string, provenance: Provenance): Promise<RunResult[]> {
  const { spokes, runs, ansible } = opts;
  const { stopLab } = await import("@/e2e/lab/lab");
  const { setUpWorld } = await import("./lib/lab-app");
  const results: RunResult[] = [];
  try {
    log(`building lab ${LAB}: hub + ${spokes} spokes, fresh app database, hub-and-spoke tunnels`);
    const world = await setUpWorld({ labName: LAB, spokes, log: () => undefined });
    log(`registered ${world.gatewayIds.size} gateways, ${world.tunnelIds.length} tunnels; app data in ${world.dataDir}`);
    if (ansible) {
      const { checkCommandSequences } = await import("./lib/ansible-ops");
      log(`command sequences: the job's and the playbooks' match per router (${(await checkCommandSequences(world)).join(", ")})`);
    }
    provenance.pinning = opts.pin ? await pinCpus(world) : { pinned: false, why: "--no-pin" };
    log(
      provenance.pinning.pinned
        ? `CPU pinning: ${provenance.pinning.routerPids} router daemons on CPU ${provenance.pinning.routerCpus}, the controllers (this process, ansible-playbook) on CPU ${provenance.pinning.controllerCpus}`
        : `no CPU pinning: ${provenance.pinning.why}`,
    );
    const columns: AnsibleColumn[] = !ansible
      ? []
      : (opts.columns ??
        (["straightforward", "expert", "mitogen"] as const).flatMap((style) =>
          [...new Set([5, spokes + 1])].map((forks) => ({ style, forks })),
        ));
    const { waitForIdle } = await import("./lib/load-meter");
    const idle = await waitForIdle();
    log(`the lab settled in ${idle.seconds.toFixed(0)} s (cores busy ${idle.cpuBusy.map((x) => `${Math.round(x * 100)}%`).join(" ")})`);
    for (let i = 0; i < runs; i++) {
      log(
        `run ${i + 1} of ${runs} (load ${loadavg()
          .map((x) => x.toFixed(2))
          .join(" ")})`,
      );
      const routerCores = provenance.pinning.pinned ? cpuCount(provenance.pinning.routerCpus) : cpus().length;
      const { parallelGateways } = await import("@/lib/config/env");
      results.push(
        await runFleetOnce(world, {
          runIndex: i,
          columns,
          logDir,
          log,
          routerCores,
          defaultParallel: parallelGateways(),
          routers: spokes + 1,
        }),
      );
    }
  } finally {
    const { getJobRunner } = await import("@/lib/jobs/runtime");
    await getJobRunner()
      .stop()
      .catch(() => undefined);
    log(`removing lab ${LAB}`);
    await stopLab(LAB);
  }
  return results;
}

async function main(opts: BenchOptions) {
  const startLoad = loadavg();
  const provenance = collectProvenance(new Date(), startLoad);
  const logDir = path.join(tmpdir(), `gwbench-logs-${Date.now()}`);
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  log(`load average at start: ${startLoad.map((x) => x.toFixed(2)).join(" ")}; Ansible logs in ${logDir}`);
  const fleetRuns = opts.fleet ? await fleet(opts, logDir, provenance) : [];
  let interruption: InterruptionResult | null = null;
  if (opts.interruption) {
    log("PSK rotation interruption per platform (bench/rotation-interruption.ts, its own lab)");
    interruption = await measureInterruption({ rounds: 3, log });
  }
  let overview: OverviewResult | null = null;
  if (opts.overview) {
    log("overview page: 10 vs 1,000 gateways and tunnels");
    overview = await measureOverview({ requests: 30, log });
  }
  const file = writeReport({
    argv: process.argv.slice(2).join(" "),
    provenance,
    spokes: opts.spokes,
    runs: opts.runs,
    startLoad,
    fleetRuns,
    interruption,
    overview,
    logDir,
  });
  printSummary({ spokes: opts.spokes, fleetRuns, interruption, overview });
  log(`results written to ${file}`);
}

let opts: BenchOptions;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}\n${BENCH_USAGE}`);
  process.exit(2);
}

main(opts).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
