// GET /metrics against the real thing: Debian's Prometheus (scripts/install-system-deps.sh),
// started by this test on a loopback port with a scrape config that carries a metrics token
// in a file, scrapes the app's /metrics route (served on loopback by this process, with the
// health poller running against a two-router lab) every second. The test reads a tunnel's
// state from Prometheus' HTTP API, pings through the tunnel and sees the byte counter grow,
// then reauthenticates the tunnel (new SAs whose counters start again at zero) and sees
// Prometheus count no counter reset.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { execInHost, execInRouter, getRouter, type LabState } from "@/e2e/lab/lab";
import { startPrometheus, type TestPrometheus } from "@/e2e/support/prometheus";
import type { HealthPoller } from "@/lib/health/poller";

// Before any app module reads the environment (getEnv is read once per process).
process.env.GATEWARDEN_METRICS = "1";

const LAB = "h-metrics";
let lab: LabState;
let admin: { id: string; username: string };
let tunnelId: string;
let poller: HealthPoller;
let app: Server;
let appPort: number;
let prometheus: TestPrometheus | undefined;
let token: string;
const query = (q: string) => prometheus!.query(q);
const waitForValue = (q: string, ok: (v: number) => boolean, timeoutMs?: number) => prometheus!.waitForValue(q, ok, timeoutMs);

/** The app's route handler behind a loopback HTTP server, as Next.js would call it. */
async function serveRoute(): Promise<Server> {
  const { GET } = await import("@/app/metrics/route");
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== "GET" || new URL(req.url ?? "/", "http://x").pathname !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const r = await GET(new Request(`http://127.0.0.1:${appPort}${req.url}`, { headers }));
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(Buffer.from(await r.arrayBuffer()));
    })().catch((e) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  appPort = (server.address() as AddressInfo).port;
  return server;
}

async function pingThroughTunnel(count: number) {
  const hq = getRouter(lab, "hq").lanHost.ip;
  const r = await execInHost(lab, "branch1", ["ping", "-n", "-q", "-c", String(count), "-i", "0.05", "-s", "1000", "-W", "1", hq]);
  expect(r.stdout).toContain(`${count} packets transmitted, ${count} received`);
}

async function storedSa() {
  const { getDb } = await import("@/lib/db/client");
  return getDb().tunnelMetrics.findUnique({ where: { tunnelId } });
}

beforeAll(async () => {
  const registered = await startLabApp({ name: LAB, sites: 2, platforms: ["strongswan"], tunnels: "hub-and-spoke" });
  ({ lab, admin } = registered);
  tunnelId = registered.tunnelIds[0]!;
  expect((await runJobToEnd(admin, "deploy", { tunnelId })).error).toBeNull();
  const { createApiToken } = await import("@/lib/api/tokens");
  token = (await createApiToken({ userId: admin.id, name: "prometheus", scope: "metrics" })).token;
  const { HealthPoller } = await import("@/lib/health/poller");
  poller = new HealthPoller({ intervalMs: 2000, maxConcurrent: 4 });
  poller.start(0);
  app = await serveRoute();
  prometheus = await startPrometheus({ target: `127.0.0.1:${appPort}`, token });
});

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((r) => (app ? app.close(r) : r(undefined)));
  await poller?.stop();
  await stopLabApp(LAB);
});

describe("GET /metrics scraped by Prometheus", () => {
  it("Prometheus scrapes with the metrics token and reads the tunnel's state with its labels", async () => {
    await waitForValue('up{job="gatewarden"}', (v) => v === 1);
    const up = await waitForValue(`gatewarden_tunnel_state{tunnel_id="${tunnelId}",state="up"}`, (v) => v === 1);
    expect(up.metric).toMatchObject({
      tunnel: "HQ ↔ Branch 1",
      site_a: "HQ",
      site_b: "Branch 1",
      gateway_a: "hq-gw",
      gateway_b: "branch1-gw",
      platform_a: "strongswan",
      platform_b: "strongswan",
    });
    const down = await query(`gatewarden_tunnel_state{tunnel_id="${tunnelId}",state="down"}`);
    expect(down[0]!.value[1]).toBe("0");
    await waitForValue(`gatewarden_tunnel_probe_latency_seconds{tunnel_id="${tunnelId}"}`, (v) => v > 0 && v < 1);
    await waitForValue(`gatewarden_tunnel_seconds_since_last_successful_check{tunnel_id="${tunnelId}"}`, (v) => v < 30);
    await waitForValue(`gatewarden_tunnel_psk_age_seconds{tunnel_id="${tunnelId}"}`, (v) => v >= 0 && v < 600);
    await waitForValue('gatewarden_gateway_management_reachable{gateway="hq-gw"}', (v) => v === 1);
    await waitForValue('gatewarden_jobs{kind="deploy",status="succeeded"}', (v) => v === 1);
    await waitForValue('gatewarden_job_duration_seconds_count{kind="deploy",result="succeeded"}', (v) => v === 1);
    await waitForValue("gatewarden_health_round_duration_seconds_count", (v) => v >= 1);
    await waitForValue("process_resident_memory_bytes", (v) => v > 0);
  });

  it("a byte counter grows while pings cross the tunnel, and stays monotonic across a reauthentication", async () => {
    const series = `gatewarden_tunnel_bytes_total{tunnel_id="${tunnelId}",direction="in"}`;
    const before = Number((await waitForValue(series, (v) => v > 0)).value[1]);
    await pingThroughTunnel(30);
    // 30 echo requests of 1,028-byte packets reached hq through its inbound SA (the poller's own probes add a little).
    const afterPing = Number((await waitForValue(series, (v) => v >= before + 30 * 1028, 30_000)).value[1]);

    // New IKE and CHILD SAs: the routers' counters start again at zero under new SPIs.
    const sa = (await storedSa())!;
    const conns = await execInRouter(lab, "hq", ["swanctl", "--list-conns"]);
    const conn = /^(\S+): IKEv/m.exec(conns.stdout)![1]!;
    const rekey = await execInRouter(lab, "hq", ["swanctl", "--rekey", "--ike", conn, "--reauth"]);
    expect(rekey.code, rekey.stderr).toBe(0);
    for (let i = 0; ; i++) {
      const now = (await storedSa())!;
      if (now.saSpiIn !== sa.saSpiIn && now.saSpiIn !== null) {
        // The raw counter of the new SA is below the old one's: a gauge of it would have dropped.
        expect(now.rawBytesIn! < sa.rawBytesIn!).toBe(true);
        break;
      }
      if (i > 60) throw new Error(`the tunnel kept SPI ${sa.saSpiIn} after the reauthentication`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await pingThroughTunnel(30);
    await waitForValue(series, (v) => v >= afterPing + 30 * 1028, 30_000);
    // Prometheus saw no counter reset, so rate() spans the rekey.
    const resets = await query(`resets(${series}[5m])`);
    expect(resets[0]!.value[1]).toBe("0");
    const rate = await query(`rate(${series}[1m])`);
    expect(Number(rate[0]!.value[1])).toBeGreaterThan(0);
  });

  it("refuses requests without a metrics token: none 401, an API token 403, a revoked one 401", async () => {
    const get = (authorization?: string) =>
      fetch(`http://127.0.0.1:${appPort}/metrics`, { headers: authorization ? { authorization } : {} });
    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect(await none.text()).not.toContain("gatewarden_tunnel");
    const { createApiToken, revokeApiToken } = await import("@/lib/api/tokens");
    const api = await createApiToken({ userId: admin.id, name: "script", scope: "read" });
    expect((await get(`Bearer ${api.token}`)).status).toBe(403);
    const ok = await get(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const second = await createApiToken({ userId: admin.id, name: "old prometheus", scope: "metrics" });
    expect((await get(`Bearer ${second.token}`)).status).toBe(200);
    const { getUserById } = await import("@/lib/db/users");
    await revokeApiToken((await getUserById(admin.id))!, second.id);
    expect((await get(`Bearer ${second.token}`)).status).toBe(401);
  });

  it("is a 404 unless GATEWARDEN_METRICS=1", async () => {
    vi.resetModules();
    process.env.GATEWARDEN_METRICS = "0";
    try {
      const { GET } = await import("@/app/metrics/route");
      const r = await GET(new Request("http://127.0.0.1/metrics", { headers: { authorization: `Bearer ${token}` } }));
      expect(r.status).toBe(404);
    } finally {
      process.env.GATEWARDEN_METRICS = "1";
    }
  });
});
