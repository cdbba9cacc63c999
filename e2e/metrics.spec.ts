// GET /metrics on the real app server — Next.js with its proxy, the route, and the health
// poller and job runner its instrumentation hook starts — scraped by Debian's Prometheus
// on loopback with a metrics token from the app's own use case. (The tunnel and byte
// counter checks against lab routers: lib/metrics/metrics.int.test.ts.)
import { expect, test } from "./support/fixtures";
import { runInApp } from "./support/app-process";
import { startPrometheus, type TestPrometheus } from "./support/prometheus";
import type { TokenRequest } from "./support/api-tokens";

test.describe.configure({ mode: "serial" });

const makeToken = (req: TokenRequest) => runInApp<{ id: string; token: string }>("api-tokens.ts", ["create"], req);
let prometheus: TestPrometheus | undefined;
let metricsToken = "";

test.beforeAll(async ({ baseURL }) => {
  metricsToken = (await makeToken({ username: "prometheus-e2e", role: "viewer", scope: "metrics" })).token;
  prometheus = await startPrometheus({ target: new URL(baseURL!).host, token: metricsToken });
});

test.afterAll(async () => {
  await prometheus?.stop();
});

test("Prometheus scrapes the server's /metrics with a metrics token", async () => {
  test.setTimeout(120_000);
  const p = prometheus!;
  await p.waitForValue('up{job="gatewarden"}', (v) => v === 1);
  // Rounds run by the poller the instrumentation hook started: one registry per process, shared with the route.
  await p.waitForValue('gatewarden_health_round_duration_seconds_count{job="gatewarden"}', (v) => v >= 1);
  await p.waitForValue('process_resident_memory_bytes{job="gatewarden"}', (v) => v > 0);
  const series = await p.query('{job="gatewarden", __name__=~"gatewarden_.*"}');
  expect(series.length).toBeGreaterThan(0);
});

test("the server refuses /metrics without a metrics token", async ({ request }) => {
  const none = await request.get("/metrics");
  expect(none.status()).toBe(401);
  expect(await none.text()).not.toContain("gatewarden_");
  const api = await makeToken({ username: "script-e2e", role: "viewer", scope: "read" });
  expect((await request.get("/metrics", { headers: { authorization: `Bearer ${api.token}` } })).status()).toBe(403);
  const ok = await request.get("/metrics", { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(ok.status()).toBe(200);
  expect(ok.headers()["content-type"]).toContain("text/plain; version=0.0.4");
  expect(await ok.text()).toContain("# TYPE gatewarden_tunnel_bytes_total counter");
});
