// Pure: the inventory variables each playbook gets, from the job's per-router plan
// (command-sequence.ts planFleet), for the two styles:
//   straightforward (bench/ansible/{deploy,rotate}.yml): a `copy` per file, a `command`
//     per argv, linear strategy;
//   expert (bench/ansible/expert-{deploy,rotate}.yml): each host's files in ONE tarball
//     (`unarchive`), each phase ONE `shell` script per host, strategy free where no
//     barrier is needed.
// The scripts poll as the job does (status every 0.5 s, pings every 1 s) and give up
// after the job's timeouts (30 s, 10 s).
import path from "node:path";
import type { FleetOp, HostVars, Inventory, RouterPlan, Script } from "./command-sequence";
import { shellLine } from "./command-sequence";

export type PlaybookStyle = "straightforward" | "expert";

/** A file to write under the stage directory before the run (the tarball is made from a host's directory). */
export type StagedFile = { host: string; src: string; dest: string; content: string; mode: number };

const VERIFY_TRIES = 60; // × 0.5 s: the job's 30 s
const PING_TRIES = 10; // × 1 s: the job's 10 s

const allowed = (c: { argv: string[]; allow_failure: boolean }) => `${shellLine(c.argv)}${c.allow_failure ? " || true" : ""}`;

function retry(line: string, tries: number, sleep: number, what: string): string {
  return `i=0; until ${line} >/dev/null 2>&1; do i=$((i+1)); [ $i -lt ${tries} ] || { echo ${JSON.stringify(what)} >&2; exit 1; }; sleep ${sleep}; done`;
}

function script(lines: string[], argvs: string[][]): Script {
  return { script: ["set -e", ...lines, "true"].join("\n"), argvs };
}

/** Deploy verify: the first status command (the SA listing) until this router's N CHILD SAs are installed; the rest once. */
function verifyUp(p: RouterPlan): string[] {
  const [list, ...rest] = p.verify;
  if (!list) return [];
  const count = `[ "$(${shellLine(list)} | grep -o 'state=INSTALLED' | wc -l)" -ge ${p.tunnels} ]`;
  return [
    `i=0; until ${count}; do i=$((i+1)); [ $i -lt ${VERIFY_TRIES} ] || { echo "not up" >&2; exit 1; }; sleep 0.5; done`,
    ...rest.map((a) => `${shellLine(a)} >/dev/null`),
  ];
}

/** Rotation verify: the SA listing until N IKE SAs whose SPIs are not in $BEFORE (every router's listing before the switch) and N installed CHILD SAs. */
function verifyNew(p: RouterPlan): string[] {
  const list = p.verify[0];
  if (!list) return [];
  return [
    'before=$(mktemp); printf "%s\\n" $BEFORE > "$before"',
    "i=0",
    "while :; do",
    `  out=$(${shellLine(list)})`,
    `  inst=$(printf "%s\\n" "$out" | grep -o 'state=INSTALLED' | wc -l)`,
    `  new=$(printf "%s\\n" "$out" | grep -o 'state=ESTABLISHED [^{]*initiator-spi=[0-9a-f]* responder-spi=[0-9a-f]*' | sed 's/.*initiator-spi=\\([0-9a-f]*\\) responder-spi=\\([0-9a-f]*\\)/\\1_\\2/' | grep -cvxF -f "$before" || true)`,
    `  [ "$inst" -ge ${p.tunnels} ] && [ "$new" -ge ${p.tunnels} ] && break`,
    `  i=$((i+1)); [ $i -lt ${VERIFY_TRIES} ] || { echo "no new IKE SAs" >&2; exit 1; }; sleep 0.5`,
    "done",
    'rm -f "$before"',
  ];
}

const pingLines = (p: RouterPlan) => p.pings.map((a) => retry(shellLine(a), PING_TRIES, 1, `no answer: ${a.join(" ")}`));

/** Variables for every host, the inventory groups, and the files to stage under `stage`. */
export function playbookVars(
  op: FleetOp,
  style: PlaybookStyle,
  plans: RouterPlan[],
  stage: string,
): { inventory: Inventory; staged: StagedFile[] } {
  const staged: StagedFile[] = [];
  const hosts: Record<string, HostVars> = {};
  for (const p of plans) {
    const files = p.files.map((f) => ({
      host: p.router,
      src: path.join(stage, p.router, f.path),
      dest: f.path,
      content: f.content,
      mode: f.mode,
    }));
    staged.push(...files);
    const copies = files.map((f) => ({ src: f.src, dest: f.dest, mode: `0${f.mode.toString(8)}` }));
    const tree = { tarball: path.join(stage, `${p.router}.tar`), files: files.map((f) => f.dest) };
    const v: HostVars = { gw_tunnels: p.tunnels, gw_pings: p.pings };
    if (style === "straightforward" && op === "deploy") {
      Object.assign(v, { gw_files: copies, gw_apply_first: p.applyFirst, gw_apply_last: p.applyLast, gw_status: p.verify });
    } else if (style === "straightforward") {
      Object.assign(v, {
        gw_secret_files: copies,
        gw_list_before: p.listBefore,
        gw_load_key: p.load,
        gw_reauth: p.switch,
        gw_sa_list: p.verify,
      });
    } else if (op === "deploy") {
      Object.assign(v, {
        gw_tree: tree,
        gw_first: script(
          p.applyFirst.map(allowed),
          p.applyFirst.map((c) => c.argv),
        ),
        gw_last: script(
          [...p.applyLast.map(allowed), ...verifyUp(p), ...pingLines(p)],
          [...p.applyLast.map((c) => c.argv), ...p.verify, ...p.pings],
        ),
      });
    } else {
      Object.assign(v, {
        gw_tree: tree,
        // The listing before is printed (the playbook keeps its SPIs); the load's output is not.
        gw_prepare: script(
          [...p.listBefore.map(shellLine), ...p.load.map((a) => `${shellLine(a)} >/dev/null`)],
          [...p.listBefore, ...p.load],
        ),
        gw_switch: script([...p.switch.map(shellLine), ...verifyNew(p), ...pingLines(p)], [...p.switch, ...p.verify, ...p.pings]),
      });
    }
    hosts[p.router] = v;
  }
  const groups = {
    apply_first: plans.filter((p) => p.applyFirst.length).map((p) => p.router),
    apply_last: plans.filter((p) => p.applyLast.length || p.switch.length || p.pings.length).map((p) => p.router),
  };
  return { inventory: { hosts, groups }, staged };
}
