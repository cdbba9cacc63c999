// The same three operations with Ansible (Debian's ansible-core, scripts/bench-install.sh):
// Gatewarden's rendered files staged per host in a private temporary directory, an
// inventory generated from the lab (its management key, its known_hosts with
// StrictHostKeyChecking=yes, pipelining on, no fact gathering) and the playbooks in
// bench/ansible/. Each run gets a fresh ControlPath directory, so no SSH connection
// survives from an earlier run (every run starts cold, like Gatewarden's jobs).
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { Command } from "@/lib/platforms/contract";
import { gatewayLoad, lighterEnd } from "@/lib/deploy/fleet-plan";
import { endsByRouter, type BenchWorld } from "./lab-app";

const PLAYBOOKS = path.resolve(import.meta.dirname, "..", "ansible");
const PLAYBOOK_TIMEOUT_MS = 15 * 60_000;

export type AnsibleOp = "deploy" | "rotate" | "health";
type HostVars = Record<string, unknown>;

/** Gatewarden's LAN-to-LAN ping through a tunnel (lib/deploy/verify.ts pingThroughTunnel). */
export const pingArgv = (e: RenderableEnd) => [
  "ping",
  "-n",
  "-c",
  "3",
  "-i",
  "0.2",
  "-W",
  "2",
  "-I",
  e.end.local.lanAddress!,
  e.end.remote.lanAddress!,
];

/** Commands that act on the whole router run once per round, as lib/deploy/gateway-work.ts does. */
const isRouterWide = (c: Command) => c.scope === "router";

async function platformOf(e: RenderableEnd) {
  const { getPlatform } = await import("@/lib/platforms");
  return getPlatform(e.platform);
}

/** `peerNext`: applied before its peer, so (as GatewayWork.applyEnd) nothing that needs the peer. */
function applyList(ends: RenderableEnd[], platform: Awaited<ReturnType<typeof platformOf>>, peerNext: boolean) {
  const ran = new Set<string>();
  const out: { argv: string[]; allow_failure: boolean }[] = [];
  for (const e of ends) {
    for (const c of platform.applyCommands(e.end)) {
      if (peerNext && c.needsPeer) continue;
      const key = c.argv.join("\0");
      if (isRouterWide(c) && ran.has(key)) continue;
      if (isRouterWide(c)) ran.add(key);
      out.push({ argv: c.argv, allow_failure: Boolean(c.allowFailure) });
    }
  }
  return out;
}

/** Writes files under <stage>/<host>/… with their modes; returns copy items for the playbook. */
function stageFiles(stage: string, host: string, files: { path: string; content: string; mode: number }[]) {
  return files.map((f) => {
    const src = path.join(stage, host, f.path);
    mkdirSync(path.dirname(src), { recursive: true, mode: 0o700 });
    writeFileSync(src, f.content, { mode: f.mode });
    chmodSync(src, f.mode);
    return { src, dest: f.path, mode: `0${f.mode.toString(8)}` };
  });
}

/** Per-host variables for one operation. `newPsks`: tunnel id → the key a rotation installs. */
async function hostVars(world: BenchWorld, op: AnsibleOp, stage: string, newPsks: Map<string, string>): Promise<Map<string, HostVars>> {
  const { renderGatewayFiles } = await import("@/lib/platforms/gateway-files");
  const { probeArgvFor } = await import("@/lib/health/parse-ping");
  const out = new Map<string, HostVars>();
  for (const [host, ends] of endsByRouter(world)) {
    const platform = await platformOf(ends[0]!);
    const last = ends.filter((e) => isLast(world, e));
    const first = ends.filter((e) => !isLast(world, e));
    const b = ends.filter((e) => e.role === "b");
    // As Gatewarden: pings (and a rotation's reauthentication) from each tunnel's less busy end.
    const vars: HostVars = { gw_tunnels: ends.length, gw_pings: last.map(pingArgv) };
    if (op === "deploy") {
      vars.gw_files = stageFiles(
        stage,
        host,
        renderGatewayFiles(
          platform,
          ends.map((e) => e.end),
        ),
      );
      vars.gw_apply_first = applyList(first, platform, true);
      vars.gw_apply_last = applyList(last, platform, false);
    } else if (op === "rotate") {
      const rekeyed = ends.map((e) => ({ ...e.end, psk: newPsks.get(e.end.tunnelId)! }));
      vars.gw_secret_files = stageFiles(
        stage,
        host,
        rekeyed.flatMap((end) =>
          platform
            .render(end)
            .filter((f) => f.secret)
            .map((f) => ({ ...f, mode: 0o600 })),
        ),
      );
      // The key load runs once per host (the playbook's gw_load_key); the reauthentication on the less busy end.
      vars.gw_load_key = ends.length ? platform.keySwitch.load(ends[0]!.end).map((c) => c.argv) : [];
      vars.gw_reauth = last.flatMap((e) => platform.keySwitch.reauthenticate(e.end).map((c) => c.argv));
    } else {
      const status = new Map(ends.flatMap((e) => platform.statusCommands(e.end)).map((c) => [c.argv.join("\0"), c.argv]));
      vars.gw_status = [...status.values()];
      vars.gw_probes = b.map((e) => probeArgvFor(e.end).argv);
    }
    out.set(host, vars);
  }
  return out;
}

function inventory(world: BenchWorld, vars: Map<string, HostVars>): string {
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
      ...vars.get(name),
    };
  };
  const names = [...vars.keys()];
  const group = (last: boolean) =>
    Object.fromEntries(names.filter((n) => (endsByRouter(world).get(n) ?? []).some((e) => isLast(world, e) === last)).map((n) => [n, {}]));
  // JSON is YAML: the inventory is written as JSON.
  return JSON.stringify(
    {
      all: {
        hosts: Object.fromEntries(names.map((n) => [n, host(n)])),
        children: { apply_first: { hosts: group(false) }, apply_last: { hosts: group(true) } },
      },
    },
    null,
    1,
  );
}

/** The end on the less busy router (lib/deploy/fleet-plan.ts lighterEnd): applied last, initiates, pings. */
function isLast(world: BenchWorld, e: RenderableEnd): boolean {
  const ends = [...endsByRouter(world).values()].flat();
  const load = gatewayLoad(
    world.tunnelIds.map((id) => {
      const [a, b] = ["a", "b"].map((role) => ends.find((x) => x.end.tunnelId === id && x.role === role)!.gatewayId);
      return { tunnelId: id, a: a!, b: b! };
    }),
  );
  const peer = ends.find((x) => x.end.tunnelId === e.end.tunnelId && x.role !== e.role)!;
  const t =
    e.role === "a"
      ? { tunnelId: e.end.tunnelId, a: e.gatewayId, b: peer.gatewayId }
      : { tunnelId: e.end.tunnelId, a: peer.gatewayId, b: e.gatewayId };
  return lighterEnd(t, load) === e.role;
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
export async function runAnsible(world: BenchWorld, op: AnsibleOp, forks: number, logDir: string): Promise<{ ms: number }> {
  const work = mkdtempSync(path.join(tmpdir(), "gwb-")); // 0700: staged secret files live here
  try {
    const newPsks = op === "rotate" ? await freshPsks(world) : new Map<string, string>();
    const vars = await hostVars(world, op, path.join(work, "stage"), newPsks);
    writeFileSync(path.join(work, "inventory.yml"), inventory(world, vars), { mode: 0o600 });
    mkdirSync(path.join(work, "cp"), { mode: 0o700 });
    writeFileSync(
      path.join(work, "ansible.cfg"),
      [
        "[defaults]",
        "host_key_checking = True",
        "gathering = explicit",
        "interpreter_python = /usr/bin/python3",
        "retry_files_enabled = False",
        `local_tmp = ${work}/local`,
        "remote_tmp = /tmp/.gwbench-ansible",
        "[ssh_connection]",
        "pipelining = True",
        `control_path_dir = ${work}/cp`,
        "",
      ].join("\n"),
    );
    const env = { ...process.env, ANSIBLE_CONFIG: path.join(work, "ansible.cfg"), ANSIBLE_NOCOLOR: "1", ANSIBLE_FORCE_COLOR: "0" };
    const log = path.join(logDir, `ansible-${op}-f${forks}-${Date.now()}.log`);
    const t0 = performance.now();
    const { code, out } = await runLogged(
      ["ansible-playbook", "-i", path.join(work, "inventory.yml"), "-f", String(forks), path.join(PLAYBOOKS, `${op}.yml`)],
      env,
      log,
    );
    const ms = performance.now() - t0;
    const recap = out.slice(out.lastIndexOf("PLAY RECAP"));
    if (code !== 0 || /(failed|unreachable)=[1-9]/.test(recap))
      throw new Error(`ansible ${op} (forks ${forks}) failed (exit ${code}); see ${log}`);
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
