// The same three operations with Ansible (Debian's ansible-core, scripts/bench-install.sh):
// Gatewarden's rendered files staged per host in a private temporary directory, an
// inventory generated from the lab (its management key, its known_hosts with
// StrictHostKeyChecking=yes, pipelining on, no fact gathering) and the playbooks in
// bench/ansible/. Each run gets a fresh ControlPath directory, so no SSH connection
// survives from an earlier run (every run starts cold, like Gatewarden's jobs).
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { endsByRouter, type BenchWorld } from "./lab-app";
import {
  compareSequences,
  planFleet,
  playbookSequences,
  type Fleet,
  type FleetOp,
  type HostVars,
  type Inventory,
} from "./command-sequence";
import { playbookVars, type PlaybookStyle, type StagedFile } from "./playbook-vars";

const PLAYBOOKS = path.resolve(import.meta.dirname, "..", "ansible");
const PLAYBOOK_TIMEOUT_MS = 15 * 60_000;

export type AnsibleOp = "deploy" | "rotate" | "health";

/** The fleet as the job plans it: every tunnel's two ends, each on its lab router. */
export const fleetOf = (world: BenchWorld): Fleet => ({ tunnels: [...world.ends.values()], routerOf: (e) => world.routerOf(e).name });

/** Health's variables (not compared: health is one poll, no plan): the status commands once per router, the probes from "b" ends. */
async function healthVars(world: BenchWorld): Promise<Inventory> {
  const { getPlatform } = await import("@/lib/platforms");
  const { probeArgvFor } = await import("@/lib/health/parse-ping");
  const hosts: Record<string, HostVars> = {};
  for (const [host, ends] of endsByRouter(world)) {
    const platform = getPlatform(ends[0]!.platform);
    const status = new Map(ends.flatMap((e) => platform.statusCommands(e.end)).map((c) => [c.argv.join("\0"), c.argv]));
    hosts[host] = { gw_status: [...status.values()], gw_probes: ends.filter((e) => e.role === "b").map((e) => probeArgvFor(e.end).argv) };
  }
  return { hosts, groups: {} };
}

/** Per-router plans of a fleet operation; a rotation's with the given new keys. */
export function plansFor(world: BenchWorld, op: FleetOp, newPsks: Map<string, string>) {
  return planFleet(op, fleetOf(world), (e) => ({ ...e, end: { ...e.end, psk: newPsks.get(e.end.tunnelId) ?? e.end.psk } }));
}

/** Mitogen (Debian's ansible-mitogen) runs the expert playbooks under its own strategies. */
export type AnsibleStyle = PlaybookStyle | "mitogen";
const MITOGEN_STRATEGIES = "/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy";
const playbookStyle = (style: AnsibleStyle): PlaybookStyle => (style === "mitogen" ? "expert" : style);

export const playbookFile = (op: AnsibleOp, style: PlaybookStyle) =>
  path.join(PLAYBOOKS, `${style === "expert" && op !== "health" ? "expert-" : ""}${op}.yml`);

/** The playbook to run: for Mitogen the expert one with its strategies (free → mitogen_free, linear → mitogen_linear). */
function playbookFor(op: AnsibleOp, style: AnsibleStyle, work: string): string {
  const file = playbookFile(op, playbookStyle(style));
  if (style !== "mitogen") return file;
  const text = readFileSync(file, "utf8").replace(/^(\s*)strategy: free$/gm, "$1strategy: mitogen_free");
  const out = path.join(work, `mitogen-${op}.yml`);
  writeFileSync(
    out,
    text.includes("strategy:") ? text : text.replace(/^(\s*)gather_facts: false$/gm, "$1gather_facts: false\n$1strategy: mitogen_linear"),
  );
  return out;
}

/**
 * The command-sequence check: for deploy and rotation, each playbook style runs on every
 * router exactly the job's commands in the job's order (JOB_ONLY aside). Throws with the
 * differences; run at benchmark start, before anything is timed.
 */
export async function checkCommandSequences(world: BenchWorld): Promise<string[]> {
  const psks = await freshPsks(world);
  const checked: string[] = [];
  for (const op of ["deploy", "rotate"] as const) {
    const plans = plansFor(world, op, psks);
    for (const style of ["straightforward", "expert"] as const) {
      const { inventory } = playbookVars(op, style, plans, "/stage");
      const diffs = compareSequences(op, plans, playbookSequences(readFileSync(playbookFile(op, style), "utf8"), inventory));
      if (diffs.length) throw new Error(`command sequence: ${style} ${op} playbook differs from the job:\n  ${diffs.join("\n  ")}`);
      checked.push(`${op} ${style}`);
    }
  }
  return checked;
}

/** Writes the staged files with their modes and, for the expert style, one tarball per host of just those files. */
async function stage(staged: StagedFile[], stageDir: string, tarballs: boolean) {
  for (const f of staged) {
    mkdirSync(path.dirname(f.src), { recursive: true, mode: 0o700 });
    writeFileSync(f.src, f.content, { mode: f.mode });
    chmodSync(f.src, f.mode);
  }
  if (!tarballs) return;
  const byHost = new Map<string, string[]>();
  for (const f of staged) byHost.set(f.host, [...(byHost.get(f.host) ?? []), path.relative(path.join(stageDir, f.host), f.src)]);
  for (const [host, members] of byHost) {
    // File members only: a directory entry would change the mode of /etc on unpacking.
    const { code, out } = await runLogged(
      [
        "tar",
        "-cf",
        path.join(stageDir, `${host}.tar`),
        "--no-recursion",
        "--owner=0",
        "--group=0",
        "-C",
        path.join(stageDir, host),
        ...members,
      ],
      process.env,
      "/dev/null",
    );
    if (code !== 0) throw new Error(`tar for ${host}: ${out}`);
  }
}

function inventoryJson(world: BenchWorld, inv: Inventory): string {
  const { lab } = world;
  const common = `-o IdentitiesOnly=yes -o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes -o ConnectTimeout=10`;
  const host = (name: string) => {
    const r = lab.routers.find((x) => x.name === name)!;
    return {
      ansible_host: r.publicIp,
      ansible_port: r.sshPort,
      ansible_user: r.sshUser,
      ansible_ssh_private_key_file: lab.managementKey.privateKeyPath,
      ansible_ssh_common_args: common,
      ...inv.hosts[name],
    };
  };
  const names = Object.keys(inv.hosts);
  const group = (g: string) => Object.fromEntries((inv.groups[g] ?? []).map((n) => [n, {}]));
  // JSON is YAML: the inventory is written as JSON.
  return JSON.stringify(
    {
      all: {
        hosts: Object.fromEntries(names.map((n) => [n, host(n)])),
        children: { apply_first: { hosts: group("apply_first") }, apply_last: { hosts: group("apply_last") } },
      },
    },
    null,
    1,
  );
}

/** Fresh keys for an Ansible rotation (never stored: the next reset removes them). */
export async function freshPsks(world: BenchWorld): Promise<Map<string, string>> {
  const { generatePsk } = await import("@/lib/secrets/psk");
  return new Map(world.tunnelIds.map((id) => [id, generatePsk()]));
}

/**
 * Stages the files and inventory for one operation (not timed), then times
 * `ansible-playbook -f <forks>` from spawn to exit. Fails unless every host ends with
 * failed=0 unreachable=0.
 */
export async function runAnsible(
  world: BenchWorld,
  op: AnsibleOp,
  forks: number,
  logDir: string,
  style: AnsibleStyle = "straightforward",
): Promise<{ ms: number }> {
  const work = mkdtempSync(path.join(tmpdir(), "gwb-")); // 0700: staged secret files live here
  try {
    let inv: Inventory;
    if (op === "health") inv = await healthVars(world);
    else {
      const newPsks = op === "rotate" ? await freshPsks(world) : new Map<string, string>();
      const stageDir = path.join(work, "stage");
      const vars = playbookVars(op, playbookStyle(style), plansFor(world, op, newPsks), stageDir);
      await stage(vars.staged, stageDir, playbookStyle(style) === "expert");
      inv = vars.inventory;
    }
    writeFileSync(path.join(work, "inventory.yml"), inventoryJson(world, inv), { mode: 0o600 });
    mkdirSync(path.join(work, "cp"), { mode: 0o700 });
    writeFileSync(
      path.join(work, "ansible.cfg"),
      [
        "[defaults]",
        "host_key_checking = True",
        "gathering = explicit",
        "interpreter_python = /usr/bin/python3",
        "retry_files_enabled = False",
        ...(style === "mitogen" ? [`strategy_plugins = ${MITOGEN_STRATEGIES}`, "strategy = mitogen_linear"] : []),
        `local_tmp = ${work}/local`,
        "remote_tmp = /tmp/.gwbench-ansible",
        "[ssh_connection]",
        "pipelining = True",
        // The expert keeps ControlPersist (Ansible's default too) and drops compression, which only costs CPU on a LAN.
        ...(style !== "straightforward" ? ["ssh_args = -o ControlMaster=auto -o ControlPersist=120s"] : []),
        `control_path_dir = ${work}/cp`,
        "",
      ].join("\n"),
    );
    const env = { ...process.env, ANSIBLE_CONFIG: path.join(work, "ansible.cfg"), ANSIBLE_NOCOLOR: "1", ANSIBLE_FORCE_COLOR: "0" };
    const log = path.join(logDir, `ansible-${style}-${op}-f${forks}-${Date.now()}.log`);
    const t0 = performance.now();
    const { code, out } = await runLogged(
      ["ansible-playbook", "-i", path.join(work, "inventory.yml"), "-f", String(forks), playbookFor(op, style, work)],
      env,
      log,
    );
    const ms = performance.now() - t0;
    const recap = out.slice(out.lastIndexOf("PLAY RECAP"));
    if (code !== 0 || /(failed|unreachable)=[1-9]/.test(recap))
      throw new Error(`ansible ${style} ${op} (forks ${forks}) failed (exit ${code}); see ${log}`);
    return { ms };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runLogged(argv: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    const file = createWriteStream(logFile, { mode: 0o600 });
    let out = "";
    const keep = (d: Buffer) => {
      out += d.toString();
      file.write(d);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGTERM"), PLAYBOOK_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      file.end();
      resolve({ code: code ?? 1, out });
    });
  });
}
