// Pure: what each router is asked to do in a fleet deploy or rotation, from the job's
// own planning code (the same functions the job calls: endApplyCommands, lighterEnd,
// planKeySwitch, listsSasBefore, the platform's status / SA / ping commands), and
// what a playbook asks of each host, read from its YAML with the inventory's variables.
// The playbooks are fed from the same per-router plan (RouterPlan); the check proves
// they run that plan in the job's order and nothing else, so the comparison cannot
// drift again (the rotation playbook kept listing SAs on every spoke after the job
// stopped doing so: commit db65be4).
// Compared per router: one "upload" line (the set of file paths) per transfer, then
// each command's argv, in order; a command repeated until some condition holds counts
// once. What only Gatewarden does is named in JOB_ONLY and not compared.
import { parse as parseYaml } from "yaml";
import { getPlatform } from "@/lib/platforms";
import type { Command, RenderedFile } from "@/lib/platforms/contract";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { endApplyCommands, gatewayLoad, lighterEnd } from "@/lib/deploy/fleet-plan";
import { pingArgv } from "@/lib/deploy/verify";
import { listsSasBefore, planKeySwitch } from "@/lib/rotation/key-switch";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";

export type FleetOp = "deploy" | "rotate";
export type Cmd = { argv: string[]; allow_failure: boolean };

/** Gatewarden's work that the playbooks do not copy (its safety), so it is not compared. */
export const JOB_ONLY = [
  "reading the router's current files before a deploy (SFTP reads, to diff and back up)",
  "backing up the files a deploy changes, on the router",
  "the commit-confirm timer a deploy arms and disarms on each router",
  "re-initiating an end still down after 8 s of verification (a lost IKE race; not needed in a clean run)",
];

/** One router's share of a fleet operation, in the job's order. */
export type RouterPlan = {
  router: string;
  tunnels: number;
  /** Files written, in one transfer per operation. */
  files: RenderedFile[];
  /** deploy: ends applied first (the busier router's, nothing initiated), then the ends that initiate. */
  applyFirst: Cmd[];
  applyLast: Cmd[];
  /** rotate: the SA listing before the switch (none on a router that is the less busy end of all its tunnels). */
  listBefore: string[][];
  /** rotate: router-wide key loads, once; then the per-tunnel switch commands of its ends. */
  load: string[][];
  switch: string[][];
  /** Repeated until its tunnels are up (deploy: status commands; rotate: the SA listing until new IKE SAs). */
  verify: string[][];
  /** LAN-to-LAN pings from the less busy end of each of its tunnels. */
  pings: string[][];
};

export type Fleet = { tunnels: readonly (readonly [RenderableEnd, RenderableEnd])[]; routerOf(e: RenderableEnd): string };

const cmd = (c: Command): Cmd => ({ argv: c.argv, allow_failure: Boolean(c.allowFailure) });
const pair = (t: readonly [RenderableEnd, RenderableEnd]) => ({ tunnelId: t[0].end.tunnelId, a: t[0].gatewayId, b: t[1].gatewayId });

/** Per router (in first-seen order), what the job does there; `rotatedEnd` renders an end with its new key. */
export function planFleet(op: FleetOp, fleet: Fleet, rotatedEnd: (e: RenderableEnd) => RenderableEnd = (e) => e): RouterPlan[] {
  const load = gatewayLoad(fleet.tunnels.map(pair));
  const lighter = new Map(fleet.tunnels.map((t) => [t[0].end.tunnelId, lighterEnd(pair(t), load)]));
  const byRouter = new Map<string, RenderableEnd[]>();
  for (const t of fleet.tunnels) for (const e of t) byRouter.set(fleet.routerOf(e), [...(byRouter.get(fleet.routerOf(e)) ?? []), e]);
  const tunnelOf = new Map(fleet.tunnels.map((t) => [t[0].end.tunnelId, t]));
  return [...byRouter].map(([router, ends]) => {
    const platform = getPlatform(ends[0]!.platform);
    const isLast = (e: RenderableEnd) => lighter.get(e.end.tunnelId) === e.role;
    const pings = ends
      .filter(isLast)
      .map((e) => pingArgv(e.end))
      .filter((a): a is string[] => a !== null);
    const plan: RouterPlan = {
      router,
      tunnels: ends.length,
      files: [],
      applyFirst: [],
      applyLast: [],
      listBefore: [],
      load: [],
      switch: [],
      verify: [],
      pings,
    };
    if (op === "deploy") {
      plan.files = renderGatewayFiles(
        platform,
        ends.map((e) => e.end),
      );
      // Two rounds (apply-ends.ts), each with its own record of router-wide commands run.
      const first = new Set<string>();
      const last = new Set<string>();
      plan.applyFirst = ends.filter((e) => !isLast(e)).flatMap((e) => endApplyCommands(platform, e.end, first, true).map(cmd));
      plan.applyLast = ends.filter(isLast).flatMap((e) => endApplyCommands(platform, e.end, last, false).map(cmd));
      plan.verify = platform.statusCommands(ends[0]!.end).map((c) => c.argv);
      return plan;
    }
    const rotated = ends.map(rotatedEnd);
    plan.files = rotated.flatMap((e) =>
      platform
        .render(e.end)
        .filter((f) => f.secret)
        .map((f) => ({ ...f, mode: 0o600 })),
    );
    const saList = platform.saListCommands(ends[0]!.end).map((c) => c.argv);
    if (ends.some((e) => listsSasBefore(e, lighter.get(e.end.tunnelId)!, tunnelOf.get(e.end.tunnelId)!))) plan.listBefore = saList;
    const loads = new Map<string, string[]>();
    for (const e of rotated) {
      const t = tunnelOf.get(e.end.tunnelId)!;
      const sw = (x: RenderableEnd) => ({ role: x.role, platform: getPlatform(x.platform), end: x.end });
      const ops = planKeySwitch(sw(t[0]), sw(t[1]), lighter.get(e.end.tunnelId)!).filter((o) => o.role === e.role);
      for (const o of ops.filter((o) => o.gatewayWide)) for (const c of o.commands) loads.set(JSON.stringify(c.argv), c.argv);
      plan.switch.push(...ops.filter((o) => !o.gatewayWide).flatMap((o) => o.commands.map((c) => c.argv)));
    }
    plan.load = [...loads.values()];
    plan.verify = saList;
    return plan;
  });
}

const uploadLine = (paths: string[]) => `upload ${[...paths].sort().join(" ")}`;
const runLine = (argv: string[]) => `run ${argv.join(" ")}`;

/** The job's sequence for one router. */
export function jobSequence(op: FleetOp, p: RouterPlan): string[] {
  const runs =
    op === "deploy"
      ? [...p.applyFirst.map((c) => c.argv), ...p.applyLast.map((c) => c.argv), ...p.verify, ...p.pings]
      : [...p.listBefore, ...p.load, ...p.switch, ...p.verify, ...p.pings];
  return [uploadLine(p.files.map((f) => f.path)), ...runs.map(runLine)];
}

// --- the playbook side ---

export type HostVars = Record<string, unknown>;
export type Inventory = { hosts: Record<string, HostVars>; groups: Record<string, string[]> };

/** A shell script built from argvs; the playbook checker finds each argv in it, in order. */
export type Script = { script: string; argvs: string[][] };
export const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
export const shellLine = (argv: string[]) => argv.map(shellQuote).join(" ");

const TEMPLATE = /^\{\{\s*([\w.]+)\s*\}\}$/;

function lookup(scope: Record<string, unknown>, dotted: string): unknown {
  let v: unknown = scope;
  for (const k of dotted.split(".")) {
    if (v === null || typeof v !== "object" || !(k in v)) throw new Error(`playbook: ${dotted} is not defined`);
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** A task value: "{{ a.b }}" resolved in the scope; anything else literal. */
function resolve(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value !== "string") return value;
  const m = TEMPLATE.exec(value.trim());
  return m ? lookup(scope, m[1]!) : value;
}

const NO_EFFECT = new Set(["ansible.builtin.set_fact", "ansible.builtin.debug"]);

type Task = Record<string, unknown>;

function hostLines(task: Task, vars: HostVars, where: string): string[] {
  const mod = Object.keys(task).find((k) => k.startsWith("ansible."));
  if (!mod) throw new Error(`${where}: a task without an ansible.* module`);
  if (NO_EFFECT.has(mod)) return [];
  const items = task.loop === undefined ? [undefined] : resolve(task.loop, vars);
  if (!Array.isArray(items)) throw new Error(`${where}: loop is not a list`);
  const args = task[mod];
  const scopeOf = (item: unknown) => ({ ...vars, item });
  switch (mod) {
    case "ansible.builtin.copy": {
      if (!items.length) return [];
      return [uploadLine(items.map((item) => String(resolve((args as Task).dest, scopeOf(item)))))];
    }
    case "ansible.builtin.unarchive": {
      // One tarball per host: "{{ X.tarball }}", whose member paths are X.files.
      const src = String((args as Task).src).trim();
      const m = /^\{\{\s*(\w+)\.tarball\s*\}\}$/.exec(src);
      if (!m) throw new Error(`${where}: unarchive src must be "{{ <var>.tarball }}"`);
      const tree = lookup(vars, m[1]!) as { files: string[] };
      return tree.files.length ? [uploadLine(tree.files)] : [];
    }
    case "ansible.builtin.command":
      return items.map((item) => {
        const argv = resolve((args as Task).argv, scopeOf(item));
        if (!Array.isArray(argv)) throw new Error(`${where}: command argv is not a list`);
        return runLine(argv.map(String));
      });
    case "ansible.builtin.shell": {
      const text = typeof args === "string" ? args : (args as Task).cmd;
      const m = /^\{\{\s*(\w+)\.script\s*\}\}$/.exec(String(text).trim());
      if (!m) throw new Error(`${where}: shell must run "{{ <var>.script }}"`);
      const s = lookup(vars, m[1]!) as Script;
      let at = 0;
      for (const argv of s.argvs) {
        const i = s.script.indexOf(shellLine(argv), at);
        if (i < 0) throw new Error(`${where}: ${m[1]}.script does not run ${shellLine(argv)} (in order)`);
        at = i + 1;
      }
      return s.argvs.map(runLine);
    }
    default:
      throw new Error(`${where}: module ${mod} is not understood by the command-sequence check`);
  }
}

/** What a playbook runs on each host, play by play, task by task. */
export function playbookSequences(playbookYaml: string, inv: Inventory): Map<string, string[]> {
  const plays = parseYaml(playbookYaml) as { name?: string; hosts: string; tasks?: Task[] }[];
  const out = new Map(Object.keys(inv.hosts).map((h) => [h, [] as string[]]));
  for (const play of plays) {
    const hosts = play.hosts === "all" ? Object.keys(inv.hosts) : (inv.groups[play.hosts] ?? []);
    for (const h of hosts) {
      for (const task of play.tasks ?? []) {
        if (task.when !== undefined) throw new Error(`play "${play.name}": "when" is not understood by the command-sequence check`);
        out.get(h)!.push(...hostLines(task, inv.hosts[h]!, `play "${play.name}", task "${String(task.name)}"`));
      }
    }
  }
  return out;
}

/** Differences between the job's and the playbook's sequences, per router; empty when they match. */
export function compareSequences(op: FleetOp, plans: RouterPlan[], playbook: Map<string, string[]>): string[] {
  const diffs: string[] = [];
  for (const p of plans) {
    const job = jobSequence(op, p);
    const book = playbook.get(p.router) ?? [];
    const n = Math.max(job.length, book.length);
    for (let i = 0; i < n; i++) {
      if (job[i] !== book[i]) {
        diffs.push(
          `${p.router}, step ${i + 1}: the job ${job[i] ? `does "${job[i]}"` : "has done all"}, the playbook ${book[i] ? `does "${book[i]}"` : "has done all"}`,
        );
        break;
      }
    }
  }
  return diffs;
}
