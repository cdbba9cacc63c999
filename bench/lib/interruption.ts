// PSK rotation interruption per platform pair: runs bench/rotation-interruption.ts as
// it is (its own small lab "gwbench-rotate" with strongSwan and CentOS/racoon routers,
// ping every 10 ms across the tunnel during each rotation) and keeps its table.
import { spawn } from "node:child_process";
import path from "node:path";

export type InterruptionRow = { pair: string; losses: number[]; gapsMs: number[] };
export type InterruptionResult = { rows: InterruptionRow[]; table: string; intervalMs: number };

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const TIMEOUT_MS = 12 * 60_000;

export function parseInterruptionTable(out: string): InterruptionRow[] {
  const list = (s: string) =>
    s
      .split(",")
      .map((x) => Number(x.trim()))
      .filter((x) => Number.isFinite(x));
  return out
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| platforms"))
    .map((l) => l.split("|").map((c) => c.trim()))
    .map((c) => ({ pair: c[1]!, losses: list(c[3]!), gapsMs: list(c[4]!) }));
}

export function measureInterruption(opts: { rounds: number; log: (l: string) => void }): Promise<InterruptionResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      ["--conditions=react-server", "bench/rotation-interruption.ts", "--rounds", String(opts.rounds)],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: "error" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      for (const l of d.toString().split("\n")) if (/round \d+:/.test(l)) opts.log(`  ${l.trim()}`);
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGINT"), TIMEOUT_MS); // SIGINT: its finally removes its lab
    child.on("close", (code) => {
      clearTimeout(timer);
      const rows = parseInterruptionTable(out);
      if (code !== 0 || !rows.length)
        return reject(new Error(`rotation-interruption exited ${code}: ${err.slice(-2000) || out.slice(-2000)}`));
      resolve({ rows, table: out.slice(out.indexOf("| platforms")).trim(), intervalMs: 10 });
    });
  });
}
