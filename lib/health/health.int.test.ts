// Tunnel health against real lab routers: three sites (hub hq + strongSwan branch1 +
// CentOS/racoon branch2), hub-and-spoke tunnels deployed through the job runner, then
// health rounds while faults are injected: a stopped charon, a gateway held by a job,
// a wrong pinned host key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { execInRouter, startCharon, stopCharon, type LabState } from "@/e2e/lab/lab";
import type { HealthPoller } from "@/lib/health/poller";

const LAB = "gwtest-health";
let lab: LabState;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;
let tunnelIds: string[];
let poller: HealthPoller;
let sessionsOpened = 0;
const roundTimes: string[] = [];

async function poll(ids?: string[]) {
  const r = await poller.pollNow(ids);
  roundTimes.push(`${r.durationMs}/${r.visitMs}`);
  return r;
}

/** Polls until the tunnel reaches the state (a restarted charon needs a few seconds to negotiate). */
async function pollUntil(tunnelId: string, state: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const j = (await poll([tunnelId])).judgements.get(tunnelId)!;
    if (j.state === state || Date.now() > until) return j;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  ({ lab, admin, gatewayIds, tunnelIds } = await startLabApp({
    name: LAB,
    sites: 3,
    platforms: ["strongswan", "strongswan", "centos-racoon"],
    tunnels: "hub-and-spoke",
  }));
  for (const id of tunnelIds) expect((await runJobToEnd(admin, "deploy", { tunnelId: id })).error).toBeNull();
  const { HealthPoller } = await import("@/lib/health/poller");
  const { openSession } = await import("@/lib/ssh/session");
  poller = new HealthPoller({ intervalMs: 60_000, maxConcurrent: 4, open: (o) => (sessionsOpened++, openSession(o)) });
});

afterAll(async () => {
  await poller?.stop();
  if (roundTimes.length) console.log(`health rounds, total/SSH (ms): ${roundTimes.join(", ")}`);
  await stopLabApp(LAB);
});

describe("tunnel health on lab routers", () => {
  it("judges both deployed tunnels up, with latency, counters and both ends' routes and SAs", async () => {
    await poll(); // first round: no previous counters yet
    const r = await poll();
    expect(r.gateways).toBe(3);
    for (const id of tunnelIds) {
      const j = r.judgements.get(id)!;
      expect(j.reason).toMatch(/^Up on both ends/);
      expect(j.state).toBe("up");
      expect(j.latencyMs).toBeGreaterThan(0);
      expect(j.lossPct).toBe(0);
      expect(j.packetsIn).toBeGreaterThan(0);
      expect(j.packetsOut).toBeGreaterThan(0);
      expect(j.ikeSpi).toMatch(/^[0-9a-f]+_i [0-9a-f]+_r$/);
      expect(j.detail.ends).toHaveLength(2);
      expect(j.detail.ends[0]!.sas).toContain("INSTALLED");
    }
    const { getTunnelHealth } = await import("@/lib/db/health");
    const stored = (await getTunnelHealth(tunnelIds[0]!))!;
    expect(stored.healthState).toBe("up");
    expect(stored.samples.length).toBe(2);
    expect(JSON.parse(stored.latestDetail!.detail!).ends[0].routes).toContain("192.168.2.0/24");
  });

  it("reuses one SSH session per gateway between rounds", async () => {
    const { getDb } = await import("@/lib/db/client");
    const before = sessionsOpened;
    await poll();
    await poll();
    expect(before).toBe(3);
    expect(sessionsOpened).toBe(before);
    expect((await getDb().gateway.findMany()).every((g) => g.reachability === "ok")).toBe(true);
  });

  it("a stopped charon turns its tunnel down with a reason; the other tunnel stays up", async () => {
    const [t1, t2] = tunnelIds as [string, string];
    await stopCharon(lab, "branch1");
    try {
      const r = await poll();
      const j = r.judgements.get(t1)!;
      expect(j.state).toBe("down");
      expect(j.reason).toContain("branch1-gw");
      expect(j.reason).toMatch(/100% loss/);
      expect(r.judgements.get(t2)!.state).toBe("up");
      const { getTunnelHealth } = await import("@/lib/db/health");
      const stored = (await getTunnelHealth(t1))!;
      expect(stored.healthState).toBe("down");
      expect(stored.healthReason).toBe(j.reason);
    } finally {
      await startCharon(lab, "branch1");
      // A fresh charon knows no connections until they are loaded (what the router's boot would do).
      await execInRouter(lab, "branch1", ["swanctl", "--load-all"]);
    }
    const back = await pollUntil(t1, "up");
    expect(back.reason).toMatch(/^Up on both ends/);
  });

  it("skips a gateway a job holds and keeps its tunnels' last state", async () => {
    const { getDb } = await import("@/lib/db/client");
    const db = getDb();
    const branch2 = gatewayIds.get("branch2")!;
    await db.gatewayLock.create({
      data: { gatewayId: branch2, jobId: "test-job", owner: "test", expiresAt: new Date(Date.now() + 60_000) },
    });
    try {
      const r = await poll();
      expect(r.skippedGateways).toEqual(["branch2-gw"]);
      expect(r.judgements.has(tunnelIds[1]!)).toBe(false);
      expect(r.judgements.get(tunnelIds[0]!)!.state).toBe("up");
    } finally {
      await db.gatewayLock.delete({ where: { gatewayId: branch2 } });
    }
  });

  it("a wrong pinned host key shows as unreachable with a host-key reason, not as down", async () => {
    const { getDb } = await import("@/lib/db/client");
    const db = getDb();
    const branch2 = gatewayIds.get("branch2")!;
    const gw = await db.gateway.findUniqueOrThrow({ where: { id: branch2 } });
    await db.gateway.update({ where: { id: branch2 }, data: { hostKeyFingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } });
    try {
      const j = (await poll()).judgements.get(tunnelIds[1]!)!;
      expect(j.state).toBe("unreachable");
      expect(j.reason).toMatch(/^Host key changed on branch2-gw: /);
      const row = await db.gateway.findUniqueOrThrow({ where: { id: branch2 } });
      expect(row.reachability).toBe("host-key-changed");
      expect(row.hostKeySeen).toBe(gw.hostKeyFingerprint);
    } finally {
      await db.gateway.update({ where: { id: branch2 }, data: { hostKeyFingerprint: gw.hostKeyFingerprint } });
    }
    expect((await poll()).judgements.get(tunnelIds[1]!)!.state).toBe("up");
  });

  it("thins stored samples: old ones beyond the retention are deleted", async () => {
    const { getDb } = await import("@/lib/db/client");
    const { thinAllSamples } = await import("@/lib/health/poller");
    const db = getDb();
    const t = tunnelIds[0]!;
    const now = Date.now();
    const old = [31 * 24, 2, 2, 2].map((h, i) => ({
      tunnelId: t,
      at: new Date(now - h * 3_600_000 - i * 1000),
      state: "up",
      reason: "test",
      detail: "{}",
    }));
    await db.healthSample.createMany({ data: old });
    const before = await db.healthSample.count({ where: { tunnelId: t } });
    expect(await thinAllSamples()).toBe(3); // the 31-day-old one, and two of three in one 5-minute bucket
    expect(await db.healthSample.count({ where: { tunnelId: t } })).toBe(before - 3);
    expect(await db.healthSample.count({ where: { tunnelId: t, at: { lt: new Date(now - 3_600_000) }, detail: { not: null } } })).toBe(0);
  });
});
