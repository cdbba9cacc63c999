// Debian's Prometheus (scripts/install-system-deps.sh) for tests: started on a free
// loopback port with a scrape config for one target's /metrics, a bearer token read from a
// 0600 file and a scrape every second; queried through its HTTP API. Used by
// lib/metrics/metrics.int.test.ts and e2e/metrics.spec.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export type PromSample = { metric: Record<string, string>; value: [number, string] };

export type TestPrometheus = {
  port: number;
  log: string[];
  query(q: string): Promise<PromSample[]>;
  /** Queries until `ok` holds for the first result's value, or throws with what it last saw. */
  waitForValue(q: string, ok: (v: number) => boolean, timeoutMs?: number): Promise<PromSample>;
  stop(): Promise<void>;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(opts: { target: string; token: string }): Promise<TestPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), "gatewarden-prom-"));
  const port = await freePort();
  const tokenFile = path.join(dir, "metrics.token");
  writeFileSync(tokenFile, opts.token, { mode: 0o600 });
  const config = path.join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: gatewarden",
      "    metrics_path: /metrics",
      "    authorization:",
      "      type: Bearer",
      `      credentials_file: ${tokenFile}`,
      "    static_configs:",
      `      - targets: [${JSON.stringify(opts.target)}]`,
      "",
    ].join("\n"),
  );
  const log: string[] = [];
  const proc: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  proc.on("error", (e) => log.push(`spawn failed: ${e.message} (run scripts/install-system-deps.sh)`));
  proc.stdout!.on("data", (d) => log.push(String(d)));
  proc.stderr!.on("data", (d) => log.push(String(d)));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const query = async (q: string): Promise<PromSample[]> => {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await r.json()) as { status: string; data?: { result: PromSample[] }; error?: string };
    if (body.status !== "success") throw new Error(`${q}: ${body.error}`);
    return body.data!.result;
  };
  const waitForValue = async (q: string, ok: (v: number) => boolean, timeoutMs = 60_000): Promise<PromSample> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const last = await query(q);
      if (last[0] && ok(Number(last[0].value[1]))) return last[0];
      if (Date.now() > until) throw new Error(`${q}: still ${JSON.stringify(last)} after ${timeoutMs} ms\n${log.join("")}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { port, log, query, waitForValue, stop };
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop();
  throw new Error(`Prometheus did not become ready:\n${log.join("")}`);
}
