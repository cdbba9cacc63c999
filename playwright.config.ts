// End-to-end tests in Debian's Chromium against the real app on a fresh SQLite
// database in a temporary data directory. Specs run in order on one server.
import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const port = Number(process.env.E2E_PORT ?? 3100);
// One data dir per run, shared with the specs through the environment.
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "gatewarden-e2e-"));
const dataDir = process.env.E2E_DATA_DIR;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e-artifacts",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `sh -c 'exec node scripts/start.mjs > "${dataDir}/server.log" 2>&1'`,
    url: `http://127.0.0.1:${port}/login`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      GATEWARDEN_DATA_DIR: dataDir,
      DATABASE_URL: "",
      LOG_LEVEL: "debug",
      GATEWARDEN_HEALTH_INTERVAL_SECONDS: "3", // tunnel-health.spec.ts waits for state changes
      GATEWARDEN_METRICS: "1", // metrics.spec.ts: Prometheus scrapes the server
    },
  },
});
