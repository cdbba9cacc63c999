// Records what lab routers print for each platform's status commands, case by case, into
// lib/platforms/<platform>/__recorded__/<case>/ (see lib/platforms/recorded-cases.ts), and
// shows how the parsers' reading of it differs from the reviewed expected.json.
//
//   npx tsx --conditions=react-server scripts/record-router-output.ts [--platform P]... [--case C]...
//       builds its own lab, brings the case about, records, tears the lab down (also on
//       failure) and prints the diff against expected.json. strongswan and centos-racoon:
//       namespace lab "gwrec", a fresh one per case. libreswan: VM lab "gwreclibre" (real
//       kernel IPsec; pluto cannot run on libipsec), booted once for all its cases, with
//       pluto reset before each; --keep-lab leaves that lab up for the next run (stop it with
//       `npm run lab -- down --lab gwreclibre`)
//   ... --accept [--platform P]... [--case C]...
//       no lab: rewrites expected.json from the parsers' output over the recordings on
//       disk — run it after a person reviewed the diff
// Needs root (the lab's namespaces). Touches no other lab.
import { rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createTwoFilesPatch } from "diff";
import { startLab, stopLab, type LabBackend, type LabState } from "@/e2e/lab/lab";
import { PLATFORM_IDS, getPlatform, isPlatformId } from "@/lib/platforms";
import type { PlatformId } from "@/lib/platforms/contract";
import { currentSummaries, listCases, readCase, recordedRoot, writeJson, writeOutputs } from "@/lib/platforms/recorded-cases";
import type { CaseScript } from "./recording/case-support";
import { CASES } from "./recording/cases";
import { Rig, routerFacts } from "./recording/lab-tunnels";
import { resetLibreswanRouter } from "./recording/libreswan-router";

const USAGE = `usage: record-router-output [--platform ${PLATFORM_IDS.join("|")}]... [--case NAME]... [--keep-lab] [--accept]`;

/** Where a platform's cases are recorded: "fresh" builds a lab per case; "kept" boots one for all and resets it. */
type LabPlan = { name: string; backend: LabBackend; lifetime: "fresh" | "kept"; describe: string };

const NETNS_LAB: LabPlan = {
  name: "gwrec",
  backend: "netns",
  lifetime: "fresh",
  describe:
    "Gatewarden router lab (e2e/lab): network namespaces, strongSwan charon with kernel-libipsec (ESP in user space); the centos-racoon routers run e2e/lab/centos-racoon/ifupdown-ipsec.sh (ifup/ifdown as initscripts writes them) and racoon.sh (an emulated racoon: racoon grammar check, then charon in IKEv1 in its place); their `setkey -D` lists charon's SAs in setkey's format, without the keys",
};
const VM_LAB: LabPlan = {
  name: "gwreclibre",
  backend: "vm",
  lifetime: "kept",
  describe:
    "Gatewarden router lab (e2e/lab), VM backend: QEMU micro-VMs (TCG) booting Debian 12's kernel, kernel IPsec (XFRM); Libreswan is Debian 12's package, unpacked into the guest, pluto started without systemd (`pluto --config /etc/ipsec.conf`), stock /etc/ipsec.conf. Commands run over SSH; each recording runs the status commands one after another through one SSH connection (python3 in the guest runs each argv and returns its exit code, stdout and stderr). The lab stays up for all cases; before each, pluto is stopped, the tunnels' files, SAs, policies and routes are removed and pluto is started again",
};
const labPlan = (platformId: PlatformId): LabPlan => (platformId === "libreswan" ? VM_LAB : NETNS_LAB);

function options() {
  const { values } = parseArgs({
    options: {
      platform: { type: "string", multiple: true },
      case: { type: "string", multiple: true },
      accept: { type: "boolean", default: false },
      "keep-lab": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const platforms = values.platform ?? [...PLATFORM_IDS];
  for (const p of platforms) if (!isPlatformId(p)) throw new Error(`unknown platform ${p} (known: ${PLATFORM_IDS.join(", ")})`);
  const names = values.case ?? CASES.map((c) => c.name);
  for (const n of names)
    if (!CASES.some((c) => c.name === n)) throw new Error(`unknown case ${n} (known: ${CASES.map((c) => c.name).join(", ")})`);
  return { platforms: platforms as PlatformId[], names, accept: values.accept, keepLab: values["keep-lab"], help: values.help };
}

/** The unified diff between a case's expected.json and what the parsers make of its recordings now. */
function diffAgainstExpected(platformId: PlatformId, name: string): string | null {
  const c = readCase(platformId, name);
  const now = JSON.stringify(currentSummaries(getPlatform(platformId), c), null, 2) + "\n";
  const before = c.expected ? JSON.stringify(c.expected, null, 2) + "\n" : "";
  if (now === before) return null;
  return createTwoFilesPatch(`${platformId}/${name}/expected.json`, "parsers over the new recording", before, now, "", "", { context: 2 });
}

const bootLab = (plan: LabPlan, platformId: PlatformId) =>
  startLab({ name: plan.name, sites: 3, platforms: [platformId], backend: plan.backend, log: (l) => console.log(l) });

async function recordCase(platformId: PlatformId, script: CaseScript, lab: LabState, plan: LabPlan): Promise<void> {
  console.log(`\n${platformId} / ${script.name}`);
  const rig = new Rig(lab, platformId, (l) => console.log(l));
  if (platformId === "libreswan") {
    for (const r of lab.routers) await resetLibreswanRouter(rig, r.name);
    rig.step(`reset ${lab.routers.map((r) => r.name).join(", ")}: pluto restarted without tunnels`);
  }
  // Before the case runs: swanctl asks charon, which some cases stop.
  const facts = new Map(await Promise.all(lab.routers.map(async (r) => [r.name, await routerFacts(rig, r.name)] as const)));
  const rec = await script.run(rig);
  const dir = path.join(recordedRoot(platformId), script.name);
  const routers = [...new Set(rec.samples.flatMap(([, s]) => Object.keys(s)))];
  for (const [sample] of readSampleDirs(platformId, script.name)) rmSync(path.join(dir, sample), { recursive: true, force: true });
  for (const [sample, outputs] of rec.samples)
    for (const [router, results] of Object.entries(outputs)) writeOutputs(path.join(dir, sample, router), results);
  writeJson(path.join(dir, "ends.json"), rec.ends);
  writeJson(path.join(dir, "meta.json"), {
    case: script.name,
    platform: platformId,
    description: typeof script.description === "string" ? script.description : script.description(platformId),
    constructed: rec.constructed ?? null,
    ...(rec.note ? { note: rec.note } : {}),
    recordedAt: new Date().toISOString(),
    lab: {
      backend: plan.describe,
      name: lab.name,
      wan: lab.wan.cidr,
    },
    routers: Object.fromEntries(routers.map((r) => [r, facts.get(r)])),
    samples: rec.samples.map(([s]) => s),
    steps: rig.steps,
  });
  const diff = diffAgainstExpected(platformId, script.name);
  console.log(diff ?? "  expected.json matches the new recording");
}

/** One platform's cases, each on a fresh lab or all on one kept lab; the lab is stopped also on failure. */
async function recordPlatform(platformId: PlatformId, scripts: CaseScript[], keepLab: boolean): Promise<void> {
  const plan = labPlan(platformId);
  // Ctrl-C must not leave the lab behind.
  const onInterrupt = () =>
    void (keepLab && plan.lifetime === "kept" ? Promise.resolve() : stopLab(plan.name)).finally(() => process.exit(130));
  process.once("SIGINT", onInterrupt);
  try {
    if (plan.lifetime === "kept") {
      const lab = await bootLab(plan, platformId);
      for (const script of scripts) await recordCase(platformId, script, lab, plan);
      return;
    }
    for (const script of scripts) {
      try {
        await recordCase(platformId, script, await bootLab(plan, platformId), plan);
      } finally {
        await stopLab(plan.name);
      }
    }
  } finally {
    if (plan.lifetime === "kept" && !keepLab) await stopLab(plan.name);
    process.off("SIGINT", onInterrupt);
  }
}

function readSampleDirs(platformId: PlatformId, name: string) {
  return listCases(platformId).includes(name) ? readCase(platformId, name).samples : [];
}

function accept(platformId: PlatformId, name: string): void {
  const c = readCase(platformId, name);
  const diff = diffAgainstExpected(platformId, name);
  writeJson(path.join(c.dir, "expected.json"), currentSummaries(getPlatform(platformId), c));
  console.log(`${platformId}/${name}: ${diff ? "expected.json rewritten" : "unchanged"}`);
}

async function main(): Promise<number> {
  const opts = options();
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.accept) {
    for (const p of opts.platforms) for (const n of opts.names) if (listCases(p).includes(n)) accept(p, n);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new Error("recording needs root (the lab's network namespaces)");
  for (const p of opts.platforms) {
    const scripts = CASES.filter((c) => c.platforms.includes(p) && opts.names.includes(c.name));
    if (scripts.length) await recordPlatform(p, scripts, opts.keepLab);
  }
  console.log("\nReview the diffs; then accept them with --accept (same --platform/--case options).");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`record-router-output: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    console.error(USAGE);
    process.exit(1);
  },
);
