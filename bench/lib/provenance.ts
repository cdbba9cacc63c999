// Where a benchmark's numbers come from, kept in its raw JSON: the commit (and whether
// the tree had changes), the command line, the tools' versions, the machine, the CPU
// pinning and the load when it started.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import type { Pinning } from "./pinning";

export type Provenance = {
  startedAt: string;
  commit: string;
  dirty: boolean;
  commandLine: string;
  versions: { node: string; ansible: string; mitogen: string; strongswan: string };
  machine: { cores: number; cpuModel: string };
  /** The app database the jobs ran on: "sqlite" (the embedded default) or "postgresql://host:port/db" without credentials. */
  database: string;
  pinning: Pinning | null;
  loadAtStart: number[];
};

function firstLine(argv: string[]): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 })
      .split("\n")[0]!
      .trim();
  } catch (e) {
    return `not found (${argv.join(" ")}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)})`;
  }
}

export function collectProvenance(startedAt: Date, loadAtStart: number[]): Provenance {
  const root = new URL("../..", import.meta.url).pathname;
  return {
    startedAt: startedAt.toISOString(),
    commit: firstLine(["git", "-C", root, "rev-parse", "HEAD"]),
    dirty: firstLine(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"]) !== "",
    commandLine: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    versions: {
      node: process.version,
      ansible: firstLine(["ansible-playbook", "--version"]),
      mitogen: `ansible-mitogen ${firstLine(["dpkg-query", "-W", "-f", "${Version}", "ansible-mitogen"])}`,
      strongswan: `strongswan-charon ${firstLine(["dpkg-query", "-W", "-f", "${Version}", "strongswan-charon"])}`,
    },
    machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? "?" },
    database: databaseOf(process.env.DATABASE_URL),
    pinning: null,
    loadAtStart,
  };
}

/** Which database a DATABASE_URL means, without its user and password. */
export function databaseOf(url: string | undefined): string {
  if (!url || url.startsWith("file:")) return "sqlite";
  const u = new URL(url);
  return `postgresql://${u.host}${u.pathname}`;
}
