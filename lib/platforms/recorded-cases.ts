// Recorded router output, NAPALM's mocked_data for our platforms: what a lab router printed
// for a platform's status commands in a known situation, and what the platform's parsers
// must make of it. Read by the shared suite (recorded.test.ts) and written by
// scripts/record-router-output.ts. Layout of lib/platforms/<platform>/__recorded__/<case>/:
//   meta.json       router kind, lab backend, versions, date, how the case was brought about
//   ends.json       { label: { router, end } }: the tunnel ends judged, each on one router
//   <sample>/<router>/commands.json   [{ file, argv, exitCode }] in statusCommands order
//   <sample>/<router>/<file>.stdout (and .stderr when not empty)
//   expected.json   { sample: { label: StatusSummary } }, reviewed by a person
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CommandResult, IkeSa, Platform, PlatformId, TunnelEnd, TunnelStatus } from "./contract";

/** Every platform must have these cases. */
export const REQUIRED_CASES = [
  "up",
  "down",
  "one-end-up",
  "rekey-in-progress",
  "auth-failed",
  "hub-two-tunnels",
  "counters-moving",
] as const;

export const recordedRoot = (platform: PlatformId) => path.join(import.meta.dirname, platform, "__recorded__");

export type RecordedResult = CommandResult & { argv: string[] };
export type CaseEnd = { router: string; end: TunnelEnd };
/** One sample: each recorded router's status outputs. */
export type Sample = Record<string, RecordedResult[]>;

export interface RecordedCase {
  platform: PlatformId;
  name: string;
  dir: string;
  meta: Record<string, unknown>;
  ends: Record<string, CaseEnd>;
  /** In recording order (sample-1, sample-2, …). */
  samples: [name: string, sample: Sample][];
  expected: Record<string, Record<string, StatusSummary>> | null;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;
const dirs = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

function readOutputs(dir: string): RecordedResult[] {
  const commands = readJson<{ file: string; argv: string[]; exitCode: number }[]>(path.join(dir, "commands.json"));
  const text = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");
  return commands.map((c) => ({
    argv: c.argv,
    exitCode: c.exitCode,
    stdout: text(path.join(dir, `${c.file}.stdout`)),
    stderr: text(path.join(dir, `${c.file}.stderr`)),
  }));
}

export function listCases(platform: PlatformId): string[] {
  const root = recordedRoot(platform);
  return existsSync(root) ? dirs(root) : [];
}

export function readCase(platform: PlatformId, name: string): RecordedCase {
  const dir = path.join(recordedRoot(platform), name);
  const samples = dirs(dir).map((s): [string, Sample] => [
    s,
    Object.fromEntries(dirs(path.join(dir, s)).map((r) => [r, readOutputs(path.join(dir, s, r))])),
  ]);
  const expectedFile = path.join(dir, "expected.json");
  return {
    platform,
    name,
    dir,
    meta: readJson(path.join(dir, "meta.json")),
    ends: readJson(path.join(dir, "ends.json")),
    samples,
    expected: existsSync(expectedFile) ? readJson(expectedFile) : null,
  };
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

/** Writes one router's outputs of one sample; file names are the order and the program ("01-swanctl"). */
export function writeOutputs(dir: string, results: RecordedResult[]): void {
  mkdirSync(dir, { recursive: true });
  const commands = results.map((r, i) => {
    const file = `${String(i + 1).padStart(2, "0")}-${path.basename(r.argv[0]!)}`;
    writeFileSync(path.join(dir, `${file}.stdout`), r.stdout);
    if (r.stderr) writeFileSync(path.join(dir, `${file}.stderr`), r.stderr);
    return { file, argv: r.argv, exitCode: r.exitCode };
  });
  writeFileSync(path.join(dir, "commands.json"), json(commands));
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, json(value));
}

/** Distinct argv of the commands, in first-seen order: a router runs each status command once for all its tunnels. */
export function routerArgv(commandsPerEnd: { argv: string[] }[][]): string[][] {
  const seen = new Map<string, string[]>();
  for (const c of commandsPerEnd.flat()) seen.set(c.argv.join("\0"), c.argv);
  return [...seen.values()];
}

/** The recorded results an end's commands asked for, matched by argv (in the commands' order). */
export function resultsFor(recorded: RecordedResult[], commands: { argv: string[] }[]): RecordedResult[] {
  return commands.map((c) => {
    const r = recorded.find((x) => x.argv.join("\0") === c.argv.join("\0"));
    if (!r) throw new Error(`no recorded output for ${c.argv.join(" ")}`);
    return r;
  });
}

export type ChildSummary = {
  name: string;
  uniqueId: number;
  state: string;
  mode: string;
  protocol: string;
  spis: { in: string | null; out: string | null };
  /** null when the router printed no counters. */
  counters: { bytesIn: number; packetsIn: number; bytesOut: number; packetsOut: number } | null;
};
export type IkeSaSummary = {
  name: string;
  uniqueId: number;
  state: string;
  version: 1 | 2;
  spis: string;
  localIsInitiator: boolean;
  remote: string;
  established: boolean;
  children: ChildSummary[];
};
/** The parts of a TunnelStatus a recorded case pins down (timers and the readable texts are left out). */
export type StatusSummary = {
  state: TunnelStatus["state"];
  reason: string;
  error: string | null;
  canListSas: boolean;
  routes: string[];
  /** uniqueId of the status's current IKE SA. */
  ikeSa: number | null;
  ikeSas: IkeSaSummary[];
  /** uniqueIds parseSaList returns over the same recording; null when it could not list. */
  saList: number[] | null;
};

function summarizeIkeSa(sa: IkeSa): IkeSaSummary {
  return {
    name: sa.name,
    uniqueId: sa.uniqueId,
    state: sa.state,
    version: sa.version,
    spis: `${sa.initiatorSpi}_i ${sa.responderSpi}_r`,
    localIsInitiator: sa.localIsInitiator,
    remote: sa.remote.address,
    established: sa.establishedSecondsAgo !== null,
    children: sa.children.map((c) => ({
      name: c.name,
      uniqueId: c.uniqueId,
      state: c.state,
      mode: c.mode,
      protocol: c.protocol,
      spis: { in: c.inbound?.spi ?? null, out: c.outbound?.spi ?? null },
      counters:
        c.inbound && c.outbound
          ? { bytesIn: c.inbound.bytes, packetsIn: c.inbound.packets, bytesOut: c.outbound.bytes, packetsOut: c.outbound.packets }
          : null,
    })),
  };
}

export function summarizeStatus(status: TunnelStatus, saList: IkeSa[] | null): StatusSummary {
  return {
    state: status.state,
    reason: status.reason,
    error: status.error,
    canListSas: status.canListSas,
    routes: status.routes.map((r) => `${r.destination}${r.via ? ` via ${r.via}` : ""}${r.dev ? ` dev ${r.dev}` : ""} table ${r.table}`),
    ikeSa: status.ikeSa?.uniqueId ?? null,
    ikeSas: status.ikeSas.map(summarizeIkeSa),
    saList: saList === null ? null : saList.map((sa) => sa.uniqueId),
  };
}

/** What the platform's parsers make of one end in one sample: the full status and the SA listing. */
export function judge(platform: Platform, caseEnd: CaseEnd, sample: Sample): { status: TunnelStatus; saList: IkeSa[] | null } {
  const recorded = sample[caseEnd.router];
  if (!recorded) throw new Error(`no outputs recorded on ${caseEnd.router}`);
  const status = platform.parseStatus(caseEnd.end, resultsFor(recorded, platform.statusCommands(caseEnd.end)));
  const listing = platform.saListCommands(caseEnd.end);
  const saList = listing.length ? platform.parseSaList(caseEnd.end, resultsFor(recorded, listing)) : null;
  return { status, saList };
}

/** The expected.json a case would get from the parsers as they are now. */
export function currentSummaries(platform: Platform, c: RecordedCase): Record<string, Record<string, StatusSummary>> {
  return Object.fromEntries(
    c.samples.map(([name, sample]) => [
      name,
      Object.fromEntries(
        Object.entries(c.ends).map(([label, e]) => {
          const { status, saList } = judge(platform, e, sample);
          return [label, summarizeStatus(status, saList)];
        }),
      ),
    ]),
  );
}
