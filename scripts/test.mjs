#!/usr/bin/env node
// `npm test`: the whole suite, in the order that fails fastest —
// typecheck, lint, unit + integration (vitest: real PostgreSQL, real sshd/strongSwan
// routers in network namespaces; needs root), then end-to-end (Playwright in Debian's
// Chromium against the real app). Ends with one line "tests: N passed, N failed".
// Before the integration and e2e parts it boots the run's one VM router lab (QEMU,
// kernel IPsec: e2e/lab/vm/shared-vm-lab.ts), which every VM test attaches to, and stops
// it at the end, also when a part failed or the run was interrupted.
//   npm test -- --only unit|integration|e2e|static   run one part
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { digest, playwrightFailures, tail, vitestFailures } from "./failure-digest.mjs";
import { integrationLanes, usesVmLab } from "./integration-lanes.mjs";
import { freeVmLabName, parseNetnsList } from "./vm-lab-name.mjs";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : null;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
const results = path.join(root, "test-results");
mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

// Ctrl-C or a kill reaches the running part too; the run then stops after it, and the VM lab goes.
let interrupted = null;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => (interrupted ??= signal));

/** Last lines of each part's output, by label: the digest at the end repeats a failed part's. */
const tails = new Map();
/** The failed parts, in order, with what the digest says of them. */
const failedParts = [];

function failPart(label) {
  failures.push(label);
  failedParts.push({ label, tail: tail(tails.get(label) ?? "") });
}

/**
 * Runs one part, its output streamed as it comes and its last lines kept for the digest.
 * Parts that run side by side (`prefix`) carry their label on every line.
 */
function run(label, cmd, args, { prefix = false } = {}) {
  console.log(`\n=== ${label}: ${[path.basename(cmd), ...args].join(" ")}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const tag = prefix ? `[${label.split(" (")[0]}] ` : "";
    let kept = "";
    for (const stream of [child.stdout, child.stderr]) {
      let rest = "";
      const out = stream === child.stdout ? process.stdout : process.stderr;
      stream.on("data", (chunk) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop();
        for (const line of lines) out.write(tag + line + "\n");
        kept = (kept + lines.join("\n") + "\n").slice(-20_000);
      });
      stream.on("end", () => {
        if (!rest) return;
        out.write(tag + rest + "\n");
        kept = (kept + rest + "\n").slice(-20_000);
      });
    }
    child.on("close", (status, signal) => {
      tails.set(label, kept);
      const ok = status === 0;
      // Killed by the signal, or exited as a tool does when it catches one (128 + SIGINT/SIGTERM).
      if (["SIGINT", "SIGTERM", "SIGHUP"].includes(signal)) interrupted ??= signal;
      else if (status === 130 || status === 143) interrupted ??= status === 130 ? "SIGINT" : "SIGTERM";
      console.log(`=== ${label}: ${ok ? "ok" : `FAILED (exit ${status ?? signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (!ok) failPart(label);
      resolve(ok);
    });
  });
}

/** Every integration test file in the repository (git's list: what a clean clone has). */
function listIntegrationFiles() {
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.int.test.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split("\0").filter((f) => f && !f.startsWith("node_modules/") && existsSync(path.join(root, f)));
}

const vmLab = (command) => run(`vm lab ${command}`, bin("tsx"), [path.join("e2e", "lab", "vm", "shared-vm-lab-cli.ts"), command]);

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

const wants = (part) => !only || only === part;

if (wants("static")) {
  if (await run("typecheck", bin("tsc"), ["--noEmit"])) passed++;
  else failed++;
  if (await run("lint", bin("eslint"), ["."])) passed++;
  else failed++;
  if (await run("format", bin("prettier"), ["--check", "."])) passed++;
  else failed++;
}

if (wants("unit") && !interrupted) {
  const out = path.join(results, "vitest-unit.json");
  rmSync(out, { force: true });
  const label = "vitest unit";
  await run(label, bin("vitest"), ["run", "--project", "unit", "--reporter=default", "--reporter=json", `--outputFile=${out}`]);
  count(label, readJson(out));
}

const needsVmLab = wants("integration") || wants("e2e");
if (needsVmLab && !env.GATEWARDEN_VM_LAB) {
  // The default name of e2e/lab/vm/shared-vm-lab.ts, unless another clone's lab holds it.
  const netns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  const labBase = env.GATEWARDEN_LAB_DIR || path.join(root, ".lab");
  const ownLab = (name) => existsSync(path.join(labBase, name, "state.json"));
  env.GATEWARDEN_VM_LAB = freeVmLabName("gwtest-vmlab", parseNetnsList(netns.stdout ?? ""), ownLab);
  if (env.GATEWARDEN_VM_LAB !== "gwtest-vmlab")
    console.log(`\nthe VM lab gwtest-vmlab is up from another clone on this machine: this run's is ${env.GATEWARDEN_VM_LAB}`);
}
try {
  // A failed boot is a failed part; the VM tests then say why they have no lab.
  if (needsVmLab && !interrupted) await vmLab("up");
  if (wants("integration") && !interrupted) {
    // Two lanes at once (scripts/integration-lanes.mjs): the part is mostly waiting on
    // routers, timers and daemons, so two files at a time halve its time on two cores.
    const lanes = integrationLanes(
      listIntegrationFiles().map((file) => {
        const source = readFileSync(path.join(root, file), "utf8");
        return { file, size: source.length, vm: usesVmLab(source) };
      }),
    );
    const outs = lanes.map((_, i) => path.join(results, `vitest-integration-${i + 1}.json`));
    for (const out of outs) rmSync(out, { force: true });
    const labels = lanes.map((files, i) => `vitest integration lane ${i + 1} (${files.length} files)`);
    await Promise.all(
      lanes.map((files, i) =>
        run(
          labels[i],
          bin("vitest"),
          ["run", "--project", "integration", "--reporter=default", "--reporter=json", `--outputFile=${outs[i]}`, ...files],
          { prefix: true },
        ),
      ),
    );
    outs.forEach((out, i) => count(labels[i], readJson(out)));
  }
  if (wants("e2e") && !interrupted) await e2e();
} finally {
  if (needsVmLab) await vmLab("down");
}

/** Adds a vitest part's report to the totals; the digest lists its failed tests. */
function count(label, report) {
  if (!report) {
    failed++;
    failures.push(`${label} wrote no report`);
    return;
  }
  const part = failedParts.find((p) => p.label === label);
  if (part) part.failures = vitestFailures(report);
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numTotalTests === 0 ? 1 : 0);
  skipped += report.numPendingTests + report.numTodoTests;
  if (report.numTotalTests === 0) failures.push(`${label} ran no test`);
}

async function e2e() {
  const out = path.join(results, "e2e.json");
  rmSync(out, { force: true });
  await run("e2e", bin("playwright"), ["test"]);
  const report = existsSync(out) ? readJson(out) : null;
  if (!report) {
    failed++;
    failures.push("playwright wrote no report");
  } else {
    const part = failedParts.find((p) => p.label === "e2e");
    if (part) part.failures = playwrightFailures(report);
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  }
}

console.log("");
for (const line of digest(failedParts, root)) console.log(line);
if (interrupted) console.log(`interrupted (${interrupted}): the parts after it did not run`);
if (failures.length) console.log(`failed parts: ${failures.join(", ")}`);
if (skipped) console.log(`skipped tests are not allowed here: ${skipped}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(interrupted ? 130 : failures.length || failed || skipped ? 1 : 0);
