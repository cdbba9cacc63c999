// The three fleet operations done the Gatewarden way, as the app does them: a fleet
// deploy is ONE `deploy` job for all tunnels, a rotation ONE `rotate` job, health one
// poller round (pollNow) over every tunnel. Timed from enqueue to the job's end as
// seen in its row (polled every 25 ms).
import type { BenchWorld } from "./lab-app";

const POLL_MS = 25;
const JOB_TIMEOUT_MS = 15 * 60_000;

let runnerStarted = false;

export type JobTiming = { ms: number; jobMs: number; phases: Record<string, number>; hubBusyMs: number };

/** A step's phase: its name without the tunnel label and the gateway ("upload to hq-gw" → "upload"). */
export function phaseOf(stepName: string): string {
  const name = stepName.includes(": ") ? stepName.slice(stepName.indexOf(": ") + 2) : stepName;
  return name
    .replace(/ \(v\d+\)/, "")
    .replace(/ of \d+ tunnels?/, "")
    .replace(/new keys?\b/, "new keys")
    .replace(/[;:].*$/, "")
    .replace(/ (on|to|from|through) .*$/, "")
    .replace(/^verify .*-gw$/, "verify")
    .replace(/^confirm .*$/, "confirm")
    .replace(/^new keys for \d+ tunnels?$/, "new keys")
    .replace(/ \S+-gw$/, "");
}

/**
 * Where a job's time went, from its step rows: per phase the span from the first step's
 * start to the last one's end, and the time the hub was busy in steps (summed).
 */
async function jobPhases(jobId: string, hubGatewayId: string) {
  const { getDb } = await import("@/lib/db/client");
  const steps = await getDb().jobStep.findMany({
    where: { jobId },
    select: { name: true, gatewayId: true, startedAt: true, finishedAt: true },
  });
  const spans = new Map<string, [number, number]>();
  let hubBusyMs = 0;
  for (const st of steps) {
    if (!st.startedAt || !st.finishedAt) continue;
    const [a, b] = [st.startedAt.getTime(), st.finishedAt.getTime()];
    const k = phaseOf(st.name);
    const cur = spans.get(k);
    spans.set(k, cur ? [Math.min(cur[0], a), Math.max(cur[1], b)] : [a, b]);
    if (st.gatewayId === hubGatewayId) hubBusyMs += b - a;
  }
  return { phases: Object.fromEntries([...spans].map(([k, [a, b]]) => [k, b - a])), hubBusyMs };
}

async function runJob(world: BenchWorld, kind: "deploy" | "rotate", tunnelIds: string[]): Promise<JobTiming> {
  const { enqueueJob, getJobRunner } = await import("@/lib/jobs/runtime");
  const { getDb } = await import("@/lib/db/client");
  if (!runnerStarted) {
    runnerStarted = true;
    await getJobRunner().start();
  }
  const t0 = performance.now();
  const id = await enqueueJob({ kind, targetType: "fleet", targetId: "all", params: { tunnelIds }, actor: world.actor });
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const job = await getDb().job.findUnique({ where: { id }, select: { status: true, error: true, startedAt: true, finishedAt: true } });
    if (job && job.status !== "queued" && job.status !== "running") {
      const ms = performance.now() - t0;
      if (job.status !== "succeeded") throw new Error(`gatewarden ${kind} job ${id} ${job.status}: ${job.error}`);
      const jobMs = job.startedAt && job.finishedAt ? job.finishedAt.getTime() - job.startedAt.getTime() : NaN;
      return { ms, jobMs, ...(await jobPhases(id, world.gatewayIds.get(world.lab.routers[0]!.name)!)) };
    }
    if (Date.now() > deadline) throw new Error(`gatewarden ${kind} job ${id} still ${job?.status} after ${JOB_TIMEOUT_MS / 60_000} min`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export const gatewardenDeploy = (world: BenchWorld) => runJob(world, "deploy", world.tunnelIds);

export const gatewardenRotate = (world: BenchWorld) => runJob(world, "rotate", world.tunnelIds);

/**
 * One health round over every tunnel with a new poller (the app's setting: 8 gateways
 * at once; the benchmark's Gatewarden-at-5 column: 5), so the round opens its SSH sessions ("cold"); then a second round on the
 * same poller, which reuses the pooled sessions as the app does between rounds ("warm").
 * Every tunnel must be judged up.
 */
export async function gatewardenHealth(world: BenchWorld, maxConcurrent = 8): Promise<{ coldMs: number; warmMs: number }> {
  const { HealthPoller } = await import("@/lib/health/poller");
  const poller = new HealthPoller({ intervalMs: 60_000, maxConcurrent });
  try {
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      const round = await poller.pollNow(world.tunnelIds);
      times.push(performance.now() - t0);
      const notUp = [...round.judgements.entries()].filter(([, j]) => j.state !== "up");
      if (round.judgements.size !== world.tunnelIds.length || notUp.length) {
        throw new Error(
          `health round: ${round.judgements.size} judged, not up: ${notUp.map(([id, j]) => `${id} ${j.state} (${j.reason})`).join("; ")}`,
        );
      }
    }
    return { coldMs: times[0]!, warmMs: times[1]! };
  } finally {
    await poller.stop();
  }
}

/**
 * Runs `fn` with GATEWARDEN_PARALLEL_GATEWAYS set to `n` (null: as the process has it), as
 * an app started with that setting would; the process's own value is put back after.
 */
export async function withParallelGateways<T>(n: number | null, fn: () => Promise<T>): Promise<T> {
  if (n === null) return fn();
  const { reloadEnv } = await import("@/lib/config/env");
  const before = process.env.GATEWARDEN_PARALLEL_GATEWAYS;
  process.env.GATEWARDEN_PARALLEL_GATEWAYS = String(n);
  reloadEnv();
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.GATEWARDEN_PARALLEL_GATEWAYS;
    else process.env.GATEWARDEN_PARALLEL_GATEWAYS = before;
    reloadEnv();
  }
}
