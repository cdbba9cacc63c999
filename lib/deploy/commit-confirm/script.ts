// Router-side commit-confirm (a dead-man switch, like Junos/VyOS `commit confirmed` or
// NAPALM's `revert_in`): before a job changes a router, it uploads a restore script and
// arms a timer on the router itself. Unless Gatewarden confirms after verifying, the
// timer puts back the files the job changed (from the job's backup) and re-applies the
// tunnels as they were with the platform's own commands: a router whose management path
// dies mid-change, or whose Gatewarden dies, does not keep a half-applied state.
//
// Pure: renders the script and the argv that arm it. Every value that reaches the router
// (paths, command words, job id, token, seconds) is checked here by a strict pattern,
// and the script single-quotes all of them; the script holds no secret.
import type { Command } from "@/lib/platforms/contract";

export const CONFIRM_ROOT = "/var/lib/gatewarden/confirm";

/** One file the job changes, and how the timer puts it back: copy `backup` over it, or remove it (it is new). */
export type RestoreFile = { path: string; backup: string | null; mode: number };

export type RestorePlan = {
  jobId: string;
  /** Random, hex: names this arming on the timer's command line so a disarm kills only its own process. */
  token: string;
  seconds: number;
  /** The tunnels this router's change is about, for the record the router leaves when it reverts. */
  tunnelIds: string[];
  /** Run before the files are put back (stop the tunnels as the new files describe them); failures tolerated. */
  stop: Command[];
  /** Run after (bring back the tunnels as the old files describe them, forget removed ones); failures tolerated. */
  reapply: Command[];
  files: RestoreFile[];
};

const SAFE_PATH = /^\/(?:[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*\/)*[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$/;
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN = /^[0-9a-f]{32}$/;
const TUNNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The longest confirm window accepted (a day); 0 disables commit-confirm. */
export const MAX_CONFIRM_SECONDS = 86_400;

export class UnsafeRestoreValue extends Error {
  constructor(what: string, value: string) {
    super(`commit-confirm: refusing to put ${what} ${JSON.stringify(value.slice(0, 80))} in a router script`);
    this.name = "UnsafeRestoreValue";
  }
}

function check(pattern: RegExp, what: string, value: string): string {
  if (!pattern.test(value) || value.split("/").includes("..")) throw new UnsafeRestoreValue(what, value);
  return value;
}

/** Single quotes for sh; the value has already passed a pattern that excludes quotes. */
const q = (s: string) => `'${s}'`;

export const confirmDir = (jobId: string) => `${CONFIRM_ROOT}/${check(JOB_ID, "job id", jobId)}`;
export const scriptPath = (jobId: string) => `${confirmDir(jobId)}/restore.sh`;
export const armedPath = (jobId: string) => `${confirmDir(jobId)}/armed`;
export const pidPath = (jobId: string) => `${confirmDir(jobId)}/pid`;
/** Where the old copy of a secret file waits during the confirm window (deleted on confirm or revert). */
export const keptSecretPath = (jobId: string, path: string) => `${confirmDir(jobId)}/keep${check(SAFE_PATH, "path", path)}`;
/** The systemd unit (and its .timer) of one arming. */
export const unitName = (jobId: string) => `gatewarden-confirm-${check(JOB_ID, "job id", jobId)}`;

function checkSeconds(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_CONFIRM_SECONDS) throw new UnsafeRestoreValue("timeout", String(seconds));
  return seconds;
}

/** Where systemd runs the router: a transient timer unit that fires the script. */
export function systemdTimerArgv(plan: Pick<RestorePlan, "jobId" | "token" | "seconds">): string[] {
  return [
    "systemd-run",
    `--unit=${unitName(plan.jobId)}`,
    `--on-active=${checkSeconds(plan.seconds)}s`,
    "--timer-property=AccuracySec=1s",
    `--description=Gatewarden commit-confirm of job ${plan.jobId}`,
    "/bin/sh",
    scriptPath(plan.jobId),
    "fire",
    check(TOKEN, "token", plan.token),
  ];
}

/** Elsewhere: a detached process in its own session (it outlives the SSH session and sshd), which writes its pid. */
export function detachedTimerArgv(plan: Pick<RestorePlan, "jobId" | "token">): string[] {
  return ["setsid", "-f", "/bin/sh", scriptPath(plan.jobId), "wait", check(TOKEN, "token", plan.token)];
}

/** Whether the router runs systemd (sd_booted(3)'s test); exit 0 means yes. */
export const SYSTEMD_PROBE = ["test", "-d", "/run/systemd/system"];

const commandLine = (c: Command) => `run ${c.argv.map((w) => q(check(SAFE_WORD, "command word", w))).join(" ")}`;

function restoreLine(f: RestoreFile): string {
  const path = q(check(SAFE_PATH, "path", f.path));
  if (f.backup === null) return `rm -f ${path} && echo "removed ${f.path}"`;
  const mode = f.mode.toString(8);
  if (!/^[0-7]{3,4}$/.test(mode)) throw new UnsafeRestoreValue("mode", mode);
  const tmp = q(`${f.path}.gatewarden-restore`);
  return `cp ${q(check(SAFE_PATH, "path", f.backup))} ${tmp} && chmod ${mode} ${tmp} && mv -f ${tmp} ${path} && echo "restored ${f.path}"`;
}

/** How both restore scripts start: the arming's directory and token; a call without the token is refused. */
function scriptHead(dir: string, token: string, comment: string[]): string[] {
  return [
    "#!/bin/sh",
    ...comment,
    "set -u",
    "umask 077",
    `D=${q(dir)}`,
    `T=${q(token)}`,
    `[ "\${2:-}" = "$T" ] || { echo "wrong token" >&2; exit 2; }`,
    'case "${1:-}" in',
  ];
}

/** The timer's two ways in: `wait` (the detached process: records its pid, then sleeps) and `fire` (systemd's timer). */
function timerModes(seconds: number): string[] {
  return [
    "wait)",
    '  exec </dev/null >>"$D/restore.log" 2>&1',
    '  echo $$ >"$D/pid.new" && mv -f "$D/pid.new" "$D/pid"',
    `  sleep ${seconds}`,
    "  ;;",
    "fire)",
    '  exec </dev/null >>"$D/restore.log" 2>&1',
    "  ;;",
  ];
}

/** Stops this arming's timer wherever it sleeps, and drops the kept copies (run by the side that won `armed`). */
function stopTimer(jobId: string, indent: string): string[] {
  return [
    'pid=$(cat "$D/pid" 2>/dev/null || true)',
    "# Only our own timer: its command line carries this arming's token.",
    'if [ -n "$pid" ] && tr "\\000" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$T"; then kill -s TERM -- "-$pid" 2>/dev/null || kill "$pid"; fi',
    `if [ -d /run/systemd/system ]; then systemctl stop ${q(`${unitName(jobId)}.timer`)} 2>/dev/null || true; fi`,
    'rm -rf "$D/keep"',
  ].map((l) => indent + l);
}

/** After the modes: the timer goes on only if it wins `armed` (mv is atomic); `run` logs each command and its failure. */
function revertHead(what: string): string[] {
  return [
    'mv "$D/armed" "$D/reverting" 2>/dev/null || exit 0',
    `echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) not confirmed: ${what}"`,
    'run() { echo "\\$ $*"; "$@" || echo "  (exit $?)"; }',
  ];
}

/**
 * The script, run as `restore.sh MODE TOKEN`:
 *   wait   — the detached timer: records its pid, sleeps, then restores unless confirmed;
 *   fire   — the systemd timer: restores now unless confirmed;
 *   disarm — Gatewarden confirms: prints "confirmed", or "reverted" (exit 3) when the
 *            timer already took over. `armed` is renamed by exactly one side (mv is atomic),
 *            so a confirm and a firing timer never both win.
 * Reverting leaves `reverted` (time and tunnel ids) for Gatewarden to find on its next contact.
 */
export function renderRestoreScript(plan: RestorePlan): string {
  const dir = confirmDir(plan.jobId);
  const token = check(TOKEN, "token", plan.token);
  const seconds = checkSeconds(plan.seconds);
  const tunnels = plan.tunnelIds.map((t) => check(TUNNEL_ID, "tunnel id", t)).join(" ");
  return [
    ...scriptHead(dir, token, [
      `# Gatewarden commit-confirm of job ${plan.jobId}: unless Gatewarden confirms within ${seconds} s,`,
      "# put back the files the job changed and re-apply the tunnels as they were.",
    ]),
    ...timerModes(seconds),
    "disarm)",
    '  if mv "$D/armed" "$D/confirmed" 2>/dev/null; then',
    ...stopTimer(plan.jobId, "    "),
    '    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) confirmed" >>"$D/restore.log"',
    "    echo confirmed",
    "    exit 0",
    "  fi",
    '  if [ -e "$D/confirmed" ]; then echo confirmed; exit 0; fi',
    "  echo reverted",
    "  exit 3",
    "  ;;",
    "*)",
    '  echo "usage: restore.sh wait|fire|disarm TOKEN" >&2',
    "  exit 2",
    "  ;;",
    "esac",
    ...revertHead("restoring the previous configuration"),
    ...plan.stop.map(commandLine),
    ...plan.files.map(restoreLine),
    ...plan.reapply.map(commandLine),
    'rm -rf "$D/keep"',
    `printf '%s\\n%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${q(`tunnels ${tunnels}`.trim())} >"$D/reverted.new"`,
    'mv -f "$D/reverted.new" "$D/reverted" && rm -f "$D/reverting"',
    'echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) restored"',
    "",
  ].join("\n");
}

/** The old copy of one tunnel's secret file during a key rotation's window (deleted when that tunnel is confirmed). */
export const keptKeyPath = (timerId: string, tunnelId: string, path: string) =>
  `${confirmDir(timerId)}/keep/${check(TUNNEL_ID, "tunnel id", tunnelId)}${check(SAFE_PATH, "path", path)}`;

/** One tunnel of a key rotation on this router: its secret files' old copies, and how it takes the old key back. */
export type KeyRestoreTunnel = { tunnelId: string; files: RestoreFile[]; commands: Command[] };

/**
 * A key rotation's dead-man switch on one router: confirmed tunnel by tunnel (each as
 * soon as its new key is proven on both ends, before the database makes it active), so a
 * hub's timer keeps guarding the tunnels not proven yet. `routerCommands` (a key load)
 * run once when any tunnel is restored, before the tunnels' own commands (stop, start).
 */
export type KeyRestorePlan = Pick<RestorePlan, "jobId" | "token" | "seconds"> & {
  tunnels: KeyRestoreTunnel[];
  routerCommands: Command[];
};

/**
 * As renderRestoreScript, with per-tunnel markers: `init` makes a `pending/<tunnel>` per
 * tunnel; `confirm TOKEN TUNNEL` moves it to `done/` (and disarms the whole timer once
 * none is pending: prints "disarmed", else "confirmed"; "reverted", exit 3, when the
 * timer already took it); the timer moves each still pending one to `restoring/` (mv is
 * atomic: a confirm and the timer never both win a tunnel), puts its old secret files
 * back and makes it negotiate again with the old key.
 */
export function renderKeyRestoreScript(plan: KeyRestorePlan): string {
  const dir = confirmDir(plan.jobId);
  const token = check(TOKEN, "token", plan.token);
  const seconds = checkSeconds(plan.seconds);
  const ids = plan.tunnels.map((t) => check(TUNNEL_ID, "tunnel id", t.tunnelId));
  const when = (id: string, lines: string[]) => (lines.length ? [`if has ${q(id)}; then`, ...lines.map((l) => `  ${l}`), "fi"] : []);
  return [
    ...scriptHead(dir, token, [
      `# Gatewarden commit-confirm of key rotation ${plan.jobId}: each tunnel not confirmed within ${seconds} s`,
      "# gets its previous pre-shared key back on this router and negotiates again with it.",
    ]),
    "init)",
    '  mkdir -p "$D/pending" "$D/done" "$D/restoring" || exit 1',
    ...ids.map((id) => `  : >"$D/pending/${id}" || exit 1`),
    "  exit 0",
    "  ;;",
    ...timerModes(seconds),
    "confirm)",
    '  t="${3:-}"',
    '  case "$t" in ""|*[!A-Za-z0-9_-]*) echo "bad tunnel id" >&2; exit 2 ;; esac',
    '  if mv "$D/pending/$t" "$D/done/$t" 2>/dev/null; then',
    '    rm -rf "$D/keep/$t"',
    '    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) confirmed $t" >>"$D/restore.log"',
    '    if [ -z "$(ls -A "$D/pending" 2>/dev/null)" ] && mv "$D/armed" "$D/confirmed" 2>/dev/null; then',
    ...stopTimer(plan.jobId, "      "),
    '      echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) every tunnel confirmed: timer disarmed" >>"$D/restore.log"',
    "      echo disarmed",
    "      exit 0",
    "    fi",
    "    echo confirmed",
    "    exit 0",
    "  fi",
    '  if [ -e "$D/done/$t" ]; then echo confirmed; exit 0; fi',
    "  echo reverted",
    "  exit 3",
    "  ;;",
    "*)",
    '  echo "usage: restore.sh init|wait|fire|confirm TOKEN [TUNNEL]" >&2',
    "  exit 2",
    "  ;;",
    "esac",
    ...revertHead("putting back the previous key of each unconfirmed tunnel"),
    'R=""',
    'take() { mv "$D/pending/$1" "$D/restoring/$1" 2>/dev/null && R="$R $1"; }',
    'has() { case "$R " in *" $1 "*) return 0 ;; esac; return 1; }',
    ...ids.map((id) => `take ${q(id)}`),
    ...plan.tunnels.flatMap((t) => when(t.tunnelId, t.files.map(restoreLine))),
    ...(plan.routerCommands.length ? ['if [ -n "$R" ]; then', ...plan.routerCommands.map((c) => `  ${commandLine(c)}`), "fi"] : []),
    ...plan.tunnels.flatMap((t) => when(t.tunnelId, t.commands.map(commandLine))),
    'rm -rf "$D/keep"',
    'if [ -n "$R" ]; then',
    `  printf '%s\\n%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "tunnels$R" >"$D/reverted.new"`,
    '  mv -f "$D/reverted.new" "$D/reverted"',
    "fi",
    'rm -f "$D/reverting"',
    'echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) restored:${R:- nothing (every tunnel was confirmed)}"',
    "",
  ].join("\n");
}

/** What a router's `reverted` file says: when it restored itself and which tunnels that concerned. */
export function parseRevertedRecord(text: string): { at: string; tunnelIds: string[] } | null {
  const [at, tunnels] = text.split("\n");
  if (!at || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(at) || !tunnels?.startsWith("tunnels")) return null;
  const ids = tunnels.slice("tunnels".length).trim().split(/\s+/).filter(Boolean);
  return ids.every((t) => TUNNEL_ID.test(t)) ? { at, tunnelIds: ids } : null;
}

/** The job ids of `<CONFIRM_ROOT>/<job>/reverted` paths a router listed (find's output); anything else is ignored. */
export function revertedJobIds(listing: string): string[] {
  const re = new RegExp(`^${CONFIRM_ROOT.replace(/\//g, "\\/")}\\/([A-Za-z0-9_-]{1,64})\\/reverted$`);
  return listing
    .split("\n")
    .map((l) => re.exec(l.trim())?.[1])
    .filter((x): x is string => !!x);
}

/** Lists the reverted records Gatewarden has not noticed yet. */
export const FIND_REVERTED = ["find", CONFIRM_ROOT, "-mindepth", "2", "-maxdepth", "2", "-name", "reverted"];

/** Lists the key timers' markers of this tunnel (pendingTimerIds keeps `<root>/<timer>/pending/<tunnel>`). */
export const findPendingKeyTimers = (tunnelId: string) => [
  "find",
  CONFIRM_ROOT,
  "-mindepth",
  "3",
  "-maxdepth",
  "3",
  // No glob: SSH carries no argv, and a remote shell would expand it (lib/ssh/argv.ts).
  "-name",
  check(TUNNEL_ID, "tunnel id", tunnelId),
];

/** The timer ids in find's output of findPendingKeyTimers; anything else is ignored. */
export function pendingTimerIds(listing: string, tunnelId: string): string[] {
  const re = new RegExp(`^${CONFIRM_ROOT.replace(/\//g, "\\/")}\\/([A-Za-z0-9_-]{1,64})\\/pending\\/([A-Za-z0-9_-]{1,64})$`);
  return listing
    .split("\n")
    .map((l) => re.exec(l.trim()))
    .filter((m): m is RegExpExecArray => !!m && m[2] === tunnelId)
    .map((m) => m[1]!);
}
