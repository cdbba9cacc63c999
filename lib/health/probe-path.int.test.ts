// What health sees when the trouble is not on the routers' own addresses, on real lab
// routers (two strongSwan sites, one deployed net-to-net tunnel):
//   - the branch's LAN port goes down: the routers still ping each other through the tunnel,
//     so only a probe to a host on the branch LAN (the site's probe target) notices;
//   - the branch's WAN link is cut: SSH to it goes over that WAN too, so the branch cannot be
//     managed, and hq's view of the tunnel (SA, its own probe) is the evidence.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { execInRouter, getRouter, type LabState } from "@/e2e/lab/lab";
import type { HealthPoller } from "@/lib/health/poller";
import type { Judgement } from "@/lib/health/evaluate";

const LAB = "h-probe-lab";
let lab: LabState;
let admin: { id: string; username: string; role?: string };
let tunnelId: string;
let branchSiteId: string;
let poller: HealthPoller;

async function judge(): Promise<Judgement> {
  return (await poller.pollNow([tunnelId])).judgements.get(tunnelId)!;
}

/** Rounds until `done` accepts the judgement (a cut link takes an SSH timeout or two to show). */
async function judgeUntil(done: (j: Judgement) => boolean, timeoutMs: number): Promise<Judgement[]> {
  const seen: Judgement[] = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const j = await judge();
    seen.push(j);
    if (done(j) || Date.now() > until) return seen;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  const app = await startLabApp({ name: LAB, sites: 2, platforms: ["strongswan"], tunnels: "hub-and-spoke" });
  ({ lab, admin } = app);
  tunnelId = app.tunnelIds[0]!;
  expect((await runJobToEnd(admin, "deploy", { tunnelId })).error).toBeNull();
  const { listSites } = await import("@/lib/db/inventory");
  branchSiteId = (await listSites()).find((s) => s.name === "Branch 1")!.id;
  const { HealthPoller } = await import("@/lib/health/poller");
  poller = new HealthPoller({ intervalMs: 60_000, maxConcurrent: 4 });
  await judge(); // first round: no previous counters yet
}, 120_000);

afterAll(async () => {
  await poller?.stop();
  await stopLabApp(LAB);
});

describe("probe targets and cut links on lab routers", () => {
  it("refuses a probe target outside the site's LAN next to the field, and stores nothing", async () => {
    const { setSiteProbeTarget } = await import("@/lib/inventory/edit-inventory");
    const { getSite } = await import("@/lib/db/inventory");
    await expect(setSiteProbeTarget(admin, branchSiteId, "192.168.1.10")).rejects.toMatchObject({
      fieldErrors: { probeTarget: expect.stringMatching(/192\.168\.1\.10 is not inside this site's LAN subnets \(192\.168\.2\.0\/24\)/) },
    });
    await expect(setSiteProbeTarget(admin, branchSiteId, "192.168.2.10 -c 1000")).rejects.toMatchObject({
      fieldErrors: { probeTarget: expect.stringMatching(/Enter an IPv4 address/) },
    });
    expect((await getSite(branchSiteId))!.probeTarget).toBeNull();
  });

  it("without a probe target, a dead branch LAN is not seen: the one probe is router to router, and says so", async () => {
    await execInRouter(lab, "branch1", ["ip", "link", "set", "lan0", "down"]);
    try {
      const j = await judge();
      expect(j.state).toBe("up");
      expect(j.detail.probes!.map((p) => p.path)).toEqual([{ kind: "routers", by: "branch1-gw", peer: "hq-gw" }]);
    } finally {
      await execInRouter(lab, "branch1", ["ip", "link", "set", "lan0", "up"]);
    }
  });

  it("with Branch 1's LAN host as probe target, hq pings it through the tunnel; its LAN port down makes the tunnel degraded with the reason", async () => {
    const { setSiteProbeTarget } = await import("@/lib/inventory/edit-inventory");
    const host = getRouter(lab, "branch1").lanHost.ip; // 192.168.2.10
    await setSiteProbeTarget(admin, branchSiteId, host);

    const up = await judge();
    expect(up.state).toBe("up");
    const lanProbe = up.detail.probes!.find((p) => p.path?.kind === "lan-host")!;
    expect(lanProbe).toMatchObject({
      from: "192.168.1.254",
      to: host,
      received: 5,
      path: { kind: "lan-host", by: "hq-gw", site: "Branch 1" },
    });
    expect(up.reason).toContain(`probe LAN host ${host} at Branch 1, from hq-gw (192.168.1.254): 0% loss`);

    await execInRouter(lab, "branch1", ["ip", "link", "set", "lan0", "down"]);
    try {
      const j = await judge();
      expect(["degraded", "down"]).toContain(j.state);
      expect(j.state).toBe("degraded");
      expect(j.reason).toMatch(
        new RegExp(
          `^The LAN host ${host.replace(/\./g, "\\.")} at Branch 1 does not answer through the tunnel \\(probe LAN host .*: 100% loss\\), while the routers reach each other`,
        ),
      );
      expect(j.reason).toContain("Check that site's LAN");
      expect(j.lossPct).toBe(100);
      const { getTunnelHealth } = await import("@/lib/db/health");
      expect((await getTunnelHealth(tunnelId))!.healthReason).toBe(j.reason);
    } finally {
      await execInRouter(lab, "branch1", ["ip", "link", "set", "lan0", "up"]);
    }
    const back = await judgeUntil((j) => j.state === "up", 20_000);
    expect(back.at(-1)!.state).toBe("up");
  });

  it("a cut WAN on branch1 is named as branch1 not answering on its management address, with hq's view of the tunnel as evidence", async () => {
    const branch = getRouter(lab, "branch1");
    const wanGateway = lab.wan.bridgeAddress;
    await execInRouter(lab, "branch1", ["ip", "link", "set", "wan0", "down"]);
    let seen: Judgement[] = [];
    try {
      seen = await judgeUntil((j) => j.state === "down", 120_000);
    } finally {
      await execInRouter(lab, "branch1", ["ip", "link", "set", "wan0", "up"]);
      // Taking the link down removed the router's default route through it.
      await execInRouter(lab, "branch1", ["ip", "route", "replace", "default", "via", wanGateway]);
    }
    console.log(`cut WAN, judgements: ${seen.map((j) => `${j.state}: ${j.reason}`).join("\n")}`);
    const last = seen.at(-1)!;
    expect(last.state).toBe("down");
    expect(last.reason).toMatch(
      new RegExp(
        `^branch1-gw does not answer on its management address ${branch.publicIp.replace(/\./g, "\\.")} port ${branch.sshPort} \\(`,
      ),
    );
    expect(last.reason).toMatch(/; hq-gw can be managed and (reports the tunnel down|still holds the SA, but nothing crosses the tunnel)/);
    expect(last.reason).toContain("branch1-gw itself or its WAN link is the likely cause");
    expect(last.reason).not.toMatch(/sshd/);
    // Every judgement on the way names the branch as the one that does not answer, never as an SSH-only problem.
    for (const j of seen) expect(j.reason).toMatch(/^branch1-gw does not answer on its management address/);
  });
});
