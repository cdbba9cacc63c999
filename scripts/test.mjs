#!/usr/bin/env node
// `npm test`: the whole suite, in the order that fails fastest —
// typecheck, lint, unit + integration (vitest: real PostgreSQL, real sshd/strongSwan
// routers in network namespaces; needs root), then end-to-end (Playwright in Debian's
// Chromium against the real app). Ends with one line "tests: N passed, N failed".
//   npm test -- --only unit|integration|e2e|static   run one part
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

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

function run(label, cmd, args) {
  console.log(`\n=== ${label}: ${[path.basename(cmd), ...args].join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: "inherit" });
  const ok = r.status === 0;
  console.log(`=== ${label}: ${ok ? "ok" : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!ok) failures.push(label);
  return ok;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

const wants = (part) => !only || only === part;

if (wants("static")) {
  if (run("typecheck", bin("tsc"), ["--noEmit"])) passed++;
  else failed++;
  if (run("lint", bin("eslint"), ["."])) passed++;
  else failed++;
}

for (const project of ["unit", "integration"]) {
  if (!wants(project)) continue;
  const out = path.join(results, `vitest-${project}.json`);
  rmSync(out, { force: true });
  run(`vitest ${project}`, bin("vitest"), ["run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile=${out}`]);
  const report = readJson(out);
  if (!report) {
    failed++;
    failures.push(`vitest ${project} wrote no report`);
    continue;
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numTotalTests === 0 ? 1 : 0);
  skipped += report.numPendingTests + report.numTodoTests;
  if (report.numTotalTests === 0) failures.push(`vitest ${project} ran no test`);
}

if (wants("e2e")) {
  const out = path.join(results, "e2e.json");
  rmSync(out, { force: true });
  run("e2e", bin("playwright"), ["test"]);
  const report = existsSync(out) ? readJson(out) : null;
  if (!report) {
    failed++;
    failures.push("playwright wrote no report");
  } else {
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  }
}

console.log("");
if (failures.length) console.log(`failed parts: ${failures.join(", ")}`);
if (skipped) console.log(`skipped tests are not allowed here: ${skipped}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failures.length || failed || skipped ? 1 : 0);
