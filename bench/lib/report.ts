// The benchmark's report: medians of the runs, ratios against Gatewarden, the targets
// judged, written to bench/results/<YYYY-MM-DD>.md, and a short summary on stdout.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import type { RunResult } from "./fleet";
import type { InterruptionResult } from "./interruption";
import type { OverviewResult } from "./overview";
import { median, millis, ratio, seconds } from "./stats";
import type { Provenance } from "./provenance";
import { benchmarksTable } from "./readme-table";

type Report = {
  argv: string;
  provenance: Provenance;
  spokes: number;
  runs: number;
  startLoad: number[];
  fleetRuns: RunResult[];
  interruption: InterruptionResult | null;
  overview: OverviewResult | null;
  logDir: string;
};

const OPS = [
  ["deploy", "deployMs", "fleet deploy, all N tunnels from empty"],
  ["rotate", "rotateMs", "PSK rotation, all N tunnels"],
  ["health", "healthMs", "one health poll, all N+1 gateways"],
] as const;

export function fleetMedians(runs: RunResult[]) {
  const forks = Object.keys(runs[0]?.ansible ?? {});
  const at = Object.keys(runs[0]?.gatewardenAt ?? {});
  const med = (f: (r: RunResult) => number) => median(runs.map(f));
  return OPS.map(([op, key, what]) => ({
    op,
    what,
    gatewarden: med((r) => r.gatewarden[key]),
    gatewardenAt: Object.fromEntries(at.map((k) => [k, med((r) => r.gatewardenAt![k]![key])])),
    ansible: Object.fromEntries(forks.map((f) => [f, med((r) => r.ansible[f]![key])])),
    limit: med((r) => r.limit[key]),
    all: {
      gatewarden: runs.map((r) => r.gatewarden[key]),
      ...Object.fromEntries(at.map((k) => [`gatewarden ${k.slice(1)} at once`, runs.map((r) => r.gatewardenAt![k]![key])])),
      ...Object.fromEntries(forks.map((f) => [`ansible ${f}`, runs.map((r) => r.ansible[f]![key])])),
      limit: runs.map((r) => r.limit[key]),
    },
  }));
}

const mark = (ok: boolean) => (ok ? "met" : "**missed**");
const secs = (xs: number[]) => `${(median(xs) / 1000).toFixed(2)} s`;
/** Median of each named phase over the runs. */
function phases(runs: Record<string, number>[]): string {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return names.map((k) => `${k} ${(median(runs.map((r) => r[k] ?? 0)) / 1000).toFixed(2)}`).join(", ") || "—";
}

function fleetSection(r: Report): string[] {
  if (!r.fleetRuns.length) return [];
  const n = r.spokes;
  const rows = fleetMedians(r.fleetRuns);
  const fN = `f${n + 1}`;
  const hub = (k: keyof RunResult["hub"]) => median(r.fleetRuns.map((x) => x.hub[k]));
  const a = (x: (typeof rows)[number], f: string) => x.ansible[f] ?? NaN;
  const out = [
    `## Fleet operations: hub + ${n} spokes (${n} tunnels, ${n + 1} gateways), median of ${r.fleetRuns.length} runs`,
    "",
    benchmarksTable(
      { provenance: r.provenance, options: { spokes: r.spokes, runs: r.runs }, fleetRuns: r.fleetRuns },
      rawFileName(new Date(r.provenance.startedAt)),
    ),
    "",
    `Health, warm (Gatewarden's second round on the poller's pooled sessions, as between rounds in the app): ${seconds(median(r.fleetRuns.map((x) => x.gatewarden.healthWarmMs ?? NaN)))}.`,
    "",
    "Every run, in order (seconds):",
    "",
    "| operation | tool | runs |",
    "|---|---|---|",
    ...rows.flatMap((x) =>
      Object.entries(x.all).map(([tool, xs]) => `| ${x.op} | ${tool} | ${xs.map((v) => (v / 1000).toFixed(2)).join(", ")} |`),
    ),
    "",
    `The hub's SSH costs (one lib/ssh session, median of 10): connect ${millis(hub("connectMs"))}, exec \`true\` ${millis(hub("trueMs"))}, exec \`swanctl --list-sas --raw\` ${millis(hub("listSasMs"))}, SFTP upload of a 600-byte file ${millis(hub("uploadMs"))}.`,
    "",
    "### Where the time goes (medians, seconds)",
    "",
    `- Gatewarden deploy job, span of each phase over all gateways (from the job's step rows): ${phases(r.fleetRuns.map((x) => x.gatewarden.jobs?.deploy.phases ?? {}))}; the hub busy in steps ${secs(r.fleetRuns.map((x) => x.gatewarden.jobs?.deploy.hubBusyMs ?? NaN))}.`,
    `- Gatewarden rotate job, span of each phase over all gateways: ${phases(r.fleetRuns.map((x) => x.gatewarden.jobs?.rotate.phases ?? {}))}; the hub busy in steps ${secs(r.fleetRuns.map((x) => x.gatewarden.jobs?.rotate.hubBusyMs ?? NaN))} of ${secs(r.fleetRuns.map((x) => x.gatewarden.rotateMs))}.`,
    `- Limit, deploy: the hub's share ${secs(r.fleetRuns.map((x) => x.limit.shares?.deploy.hubMs ?? NaN))}, a spoke's ${secs(r.fleetRuns.map((x) => x.limit.shares?.deploy.spokeMs ?? NaN))}; the slower one's phases: ${phases(r.fleetRuns.map((x) => x.limit.deployBreakdown))}.`,
    `- Limit, rotate: the hub's share ${secs(r.fleetRuns.map((x) => x.limit.shares?.rotate.hubMs ?? NaN))}, a spoke's ${secs(r.fleetRuns.map((x) => x.limit.shares?.rotate.spokeMs ?? NaN))}; the slower one's phases: ${phases(r.fleetRuns.map((x) => x.limit.rotateBreakdown))}.`,
    "",
    "### Targets",
    "",
    "| target | deploy | rotate |",
    "|---|---|---|",
  ];
  const [d, rot] = rows;
  const t = (f: (x: (typeof rows)[number]) => boolean) => `${mark(f(d!))} | ${mark(f(rot!))}`;
  const tA = (key: string, f: (x: (typeof rows)[number]) => boolean) => (r.fleetRuns[0]!.ansible[key] ? t(f) : "not run | not run");
  out.push(
    `| ≥ 3x faster than the expert playbook at forks=${n + 1} | ${tA(`expert-${fN}`, (x) => a(x, `expert-${fN}`) >= 3 * x.gatewarden)} |`,
  );
  out.push(
    `| ≥ 5x faster than the expert playbook at Ansible's default forks=5 | ${tA("expert-f5", (x) => a(x, "expert-f5") >= 5 * x.gatewarden)} |`,
  );
  out.push(`| ≥ 5x faster than the straightforward playbook at forks=5 | ${tA("f5", (x) => a(x, "f5") >= 5 * x.gatewarden)} |`);
  if (r.fleetRuns[0]!.gatewardenAt?.p5)
    out.push(
      `| ≥ 5x faster than the expert playbook at forks=5, Gatewarden also at 5 routers at once | ${tA("expert-f5", (x) => a(x, "expert-f5") >= 5 * x.gatewardenAt.p5!)} |`,
    );
  out.push(
    `| within 2x of the limit (the yardstick: max of the critical path and router CPU ÷ cores) | ${t((x) => x.gatewarden <= 2 * x.limit)} |`,
  );
  out.push(
    "",
    "### How it was measured",
    "",
    "- Before each tool's operations every router is returned to the empty state (the benchmark's swanctl files removed, `swanctl --load-all`, leftover IKE SAs terminated, checked: no SA left); not timed. The order of the tools shifts each run.",
    "- **Gatewarden**: deploy = ONE `deploy` job `{tunnelIds}`, rotation = ONE `rotate` job, timed from `enqueueJob` until the job row is finished (polled every 25 ms); both must succeed. Health = `pollNow()` over all tunnels on a new `HealthPoller` (the app's 8 gateways at once; cold: it opens its sessions); every tunnel must be judged up.",
    "- **Ansible** (Debian ansible-core; generated inventory with the lab's management key and `StrictHostKeyChecking=yes`; pipelining on; `gather_facts: false`; a fresh ControlPath directory per playbook so each starts cold). Every playbook is fed from the job's own per-router plan and checked at start to run exactly the job's commands per router in the job's order (bench/lib/command-sequence.ts). *Straightforward* (deploy.yml, rotate.yml): a `copy` per file, a `command` per argv, linear. *Expert* (expert-deploy.yml, expert-rotate.yml): one tarball per host (`unarchive`), one `shell` script per host and phase, strategy free but for the one barrier the work needs, ControlPersist without compression. *Mitogen*: the expert playbooks under mitogen_free / mitogen_linear (Debian's ansible-mitogen). Timed from spawn to exit of `ansible-playbook`; every host must end with failed=0 unreachable=0.",
    "- **Limit** (bench/lib/yardstick.ts, independent of the job): the larger of (a) one tunnel's critical path on idle routers, each step timed alone with plain OpenSSH commands, and (b) the CPU time all router processes spend on every step of the operation run one after another, divided by the routers' cores. The slowest gateway's share done alone through Gatewarden's code (the earlier limit) is kept in the raw JSON as `aloneDeployMs` / `aloneRotateMs`.",
    "- Health limit (bench/lib/limit.ts): one gateway's poller visit (status commands and its probes on 4 channels of one new session), the slower of the hub and a spoke.",
    "",
  );
  return out;
}

function interruptionSection(r: Report): string[] {
  if (!r.interruption) return [];
  const strong = r.interruption.rows.filter((x) => x.pair.startsWith("strongswan ↔ strongswan"));
  const zero = strong.length > 0 && strong.every((x) => x.losses.every((l) => l === 0));
  return [
    `## PSK rotation interruption (ping every ${r.interruption.intervalMs} ms across the tunnel; bench/rotation-interruption.ts, its own lab)`,
    "",
    r.interruption.table,
    "",
    `Target: 0 packets lost rotating strongSwan tunnels: ${mark(zero)}.`,
    "",
  ];
}

function overviewSection(r: Report): string[] {
  if (!r.overview) return [];
  const small = r.overview.sizes.find((s) => s.tunnels === 10);
  const big = r.overview.sizes.find((s) => s.tunnels === 1000);
  const out = [
    `## Overview page (GET /, signed in, built app, ${r.overview.requests} requests one after another after 3 warm-up requests; seeded database, no live routers)`,
    "",
    `| gateways | tunnels | HTTP status | median | p95 | response size | the page's queries run alone (${Object.keys(r.overview.sizes[0]?.queriesMs ?? {}).join(" / ")}, median of 5) |`,
    "|---|---|---|---|---|---|---|",
    ...r.overview.sizes.map(
      (s) =>
        `| ${s.gateways} | ${s.tunnels} | ${s.status === 299 ? "200 with the error page" : s.status} | ${millis(s.medianMs)} | ${millis(s.p95Ms)} | ${(s.htmlBytes / 1024).toFixed(0)} KiB | ${Object.values(
          s.queriesMs,
        )
          .map((q) => (typeof q === "number" ? `${q} ms` : q))
          .join(" / ")} |`,
    ),
    "",
  ];
  for (const s of r.overview.sizes.filter((x) => x.serverError))
    out.push(
      `With ${s.tunnels} tunnels the page fails (${s.status === 299 ? "HTTP 200 carrying the error page" : `HTTP ${s.status}`}); the server logged: \`${s.serverError}\``,
      "",
    );
  if (small && big) {
    const ok = big.status === 200 && small.status === 200 && big.medianMs <= 3 * small.medianMs;
    for (const s of r.overview.sizes.slice(1))
      out.push(
        `- ${s.tunnels} tunnels ÷ 10 tunnels: ${ratio(s.medianMs, small.medianMs)}${s.status === 200 ? "" : ` (HTTP ${s.status}: an error page, not the overview)`}`,
      );
    out.push("", `Target (the 1,000-tunnel page served within 3x of the 10-tunnel one): ${mark(ok)}.`, "");
  }
  return out;
}

/** The raw JSON's file name for a run started at `at` (bench/results/<date>-<HHMM>-raw.json). */
export const rawFileName = (at: Date) => `${at.toISOString().slice(0, 10)}-${at.toISOString().slice(11, 16).replace(":", "")}-raw.json`;

export function writeReport(r: Report): string {
  const date = new Date().toISOString().slice(0, 10);
  const dir = path.resolve(import.meta.dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${date}.md`);
  const text = [
    `# Gatewarden benchmarks, ${date} ${new Date().toISOString().slice(11, 16)} UTC`,
    "",
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), shared with other work; app database ${r.provenance.database}. Load average at start: ${r.startLoad.map((x) => x.toFixed(2)).join(", ")} (1, 5, 15 min)${r.fleetRuns.length ? `; at the end of each fleet run: ${r.fleetRuns.map((x) => x.loadavg[0]!.toFixed(2)).join(", ")}` : ""}. The load is high: figures are medians of runs, compare them side by side, not with other machines.`,
    "",
    `Command: \`npm run bench -- ${r.argv}\``,
    "",
    ...fleetSection(r),
    ...interruptionSection(r),
    ...overviewSection(r),
  ].join("\n");
  const raw = path.join(dir, rawFileName(new Date(r.provenance.startedAt)));
  writeFileSync(
    raw,
    JSON.stringify(
      {
        provenance: r.provenance,
        options: { spokes: r.spokes, runs: r.runs },
        fleetRuns: r.fleetRuns,
        interruption: r.interruption,
        overview: r.overview,
      },
      null,
      1,
    ),
  );
  // Several runs a day (e.g. --spokes 20, then 50) keep each report: later ones are appended.
  if (existsSync(file)) appendFileSync(file, `\n---\n\n${text}`);
  else writeFileSync(file, text);
  return file;
}

export function printSummary(r: Pick<Report, "spokes" | "fleetRuns" | "interruption" | "overview">): void {
  console.log("\n== Summary ==");
  if (r.fleetRuns.length) {
    for (const x of fleetMedians(r.fleetRuns)) {
      const cols = Object.entries(x.ansible).map(([k, v]) => `Ansible ${k} ${seconds(v)} (${ratio(v, x.gatewarden)})`);
      console.log(
        `${x.op.padEnd(7)} Gatewarden ${seconds(x.gatewarden)} | ${cols.join(" | ")} | limit ${seconds(x.limit)} (Gatewarden ${ratio(x.gatewarden, x.limit)})`,
      );
    }
  }
  if (r.interruption)
    for (const x of r.interruption.rows)
      console.log(`rotation loss: ${x.pair}: ${x.losses.join(", ")} packets (gaps ${x.gapsMs.join(", ")} ms)`);
  if (r.overview)
    for (const s of r.overview.sizes)
      console.log(
        `overview ${s.tunnels} tunnels: HTTP ${s.status}, median ${millis(s.medianMs)}, p95 ${millis(s.p95Ms)}${s.serverError ? ` (${s.serverError})` : ""}`,
      );
}
