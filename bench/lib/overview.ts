// The overview page's server response time with 10 and 1,000 gateways and tunnels:
// each size gets its own data directory seeded by bench/overview-seed.ts, the built app
// (`node scripts/start.mjs`, which builds once if the build is stale) on its own port,
// and N timed `GET /` with the seeded session's cookie, one after another.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { median, percentile } from "./stats";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const START_TIMEOUT_MS = 12 * 60_000; // includes one `next build` when the build is stale

export type OverviewSize = {
  gateways: number;
  tunnels: number;
  medianMs: number;
  p95Ms: number;
  htmlBytes: number;
  /** HTTP status of the timed responses: 200 when the overview was served, 299 = HTTP 200 carrying an error page, else the status. */
  status: number;
  /** The server's first error line when the page failed. */
  serverError: string | null;
  seedMs: number;
  queriesMs: Record<string, number | string>;
};
export type OverviewResult = { sizes: OverviewSize[]; requests: number };

function run(argv: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${argv.join(" ")} exited ${code}: ${err.slice(-1500)}`));
    });
  });
}

type App = { child: ChildProcess; output(): string };

async function startApp(env: NodeJS.ProcessEnv, port: number, log: (l: string) => void): Promise<App> {
  // Its own process group, so stopping it stops `next start` too.
  const child = spawn(process.execPath, ["scripts/start.mjs"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr!.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let building = false;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}): ${out.slice(-1500)}`);
    if (!building && out.includes("building the app")) {
      building = true;
      log("  the build is stale: next build runs once (minutes on 2 loaded cores)");
    }
    const up = await fetch(`http://127.0.0.1:${port}/login`, { redirect: "manual" }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) return { child, output: () => out };
    await new Promise((r) => setTimeout(r, 500));
  }
  stopApp(child);
  throw new Error(`the app did not answer on port ${port} within ${START_TIMEOUT_MS / 60_000} min`);
}

function stopApp(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
}

async function timeSize(gateways: number, port: number, requests: number, log: (l: string) => void): Promise<OverviewSize> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "gwbench-overview-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWARDEN_DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: "warn",
    GATEWARDEN_HEALTH_INTERVAL_SECONDS: "3600",
  };
  delete env.DATABASE_URL; // the embedded SQLite database of this data directory
  try {
    const seeded = JSON.parse(
      (await run([TSX, "--conditions=react-server", "bench/overview-seed.ts", String(gateways)], env, 15 * 60_000))
        .trim()
        .split("\n")
        .pop()!,
    );
    log(`  seeded ${seeded.counts.gateways} gateways, ${seeded.counts.tunnels} tunnels in ${(seeded.seedMs / 1000).toFixed(1)} s`);
    const app = await startApp(env, port, log);
    try {
      const get = async () => {
        const t = performance.now();
        const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie: seeded.cookie }, redirect: "manual" });
        const body = await r.text();
        const ms = performance.now() - t;
        // A redirect means the session was not accepted: a benchmark bug, not a result.
        if (r.status >= 300 && r.status < 400) throw new Error(`GET / answered ${r.status} → ${r.headers.get("location")} (not signed in)`);
        // The overview proper has its health counts; error.tsx may answer 200 with an error card.
        const served = r.status === 200 && body.includes('data-testid="health-counts"');
        return { ms, bytes: body.length, status: served ? 200 : r.status === 200 ? 299 : r.status };
      };
      for (let i = 0; i < 3; i++) await get(); // warm-up: first compilation of the route, caches
      const samples: number[] = [];
      let last = { bytes: 0, status: 0 };
      for (let i = 0; i < requests; i++) {
        const s = await get();
        samples.push(s.ms);
        last = s;
      }
      // A failing page is measured and reported with the server's reason, not hidden.
      const serverError =
        last.status === 200
          ? null
          : (app
              .output()
              .split("\n")
              .find((l) => /Error|P20\d\d|exceeded/.test(l))
              ?.trim()
              .slice(0, 300) ?? "(no error line in the server log)");
      return {
        gateways: seeded.counts.gateways,
        tunnels: seeded.counts.tunnels,
        medianMs: median(samples),
        p95Ms: percentile(samples, 95),
        htmlBytes: last.bytes,
        status: last.status,
        serverError,
        seedMs: seeded.seedMs,
        queriesMs: seeded.queries,
      };
    } finally {
      stopApp(app.child);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function measureOverview(opts: { requests: number; log: (l: string) => void }): Promise<OverviewResult> {
  const sizes: OverviewSize[] = [];
  for (const [i, n] of [10, 1000].entries()) {
    const s = await timeSize(n, 3910 + i, opts.requests, opts.log);
    opts.log(
      `  ${s.tunnels} tunnels: HTTP ${s.status}, median ${s.medianMs.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(1)} ms, ${(s.htmlBytes / 1024).toFixed(0)} KiB${s.serverError ? `; server: ${s.serverError}` : ""}`,
    );
    sizes.push(s);
  }
  return { sizes, requests: opts.requests };
}
