// A fleet deploy has no fleet-wide barrier (bring-up-tunnels): on real lab routers (a hub
// and two spokes), with one spoke slow to take its files, the other tunnel is applied,
// verified on both ends, pinged through and its spoke confirmed while the slow spoke is
// still uploading; then the slow one comes up too. With barriers between the phases, no
// ping could start before every router had applied.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabState } from "@/e2e/lab/lab";
import { deployJobOutsideRunner, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { lanPingOk } from "@/lib/deploy/test-support/lab-checks";

const LAB = "h-pipelined";
let lab: LabState;
let admin: { id: string; username: string };
let tunnelIds: string[];
let gatewayIds: Map<string, string>;

// How long each of the slow spoke's uploads is held: longer than the other tunnel's whole bring-up on a loaded machine.
const SLOW_UPLOAD_MS = 6_000;

beforeAll(async () => {
  ({ lab, admin, tunnelIds, gatewayIds } = await startLabApp({
    name: LAB,
    sites: 3,
    platforms: ["strongswan"],
    tunnels: "hub-and-spoke",
  }));
}, 120_000);

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("a fleet deploy goes on tunnel by tunnel", () => {
  it("one spoke slow to upload: the other tunnel is proven and its spoke confirmed first, then both are up", async () => {
    const { getJob } = await import("@/lib/db/jobs");
    const { deployTunnels } = await import("@/lib/deploy/deploy-tunnels");
    const { connectGatewayForJob } = await import("@/lib/deploy/connect");
    const slow = gatewayIds.get("branch2")!;
    const { id, ctx } = await deployJobOutsideRunner(admin, { tunnelIds });
    // The real connection; branch2's uploads each wait a while first, as over a slow link.
    const connect: typeof connectGatewayForJob = async (gatewayId, c) => {
      const session = await connectGatewayForJob(gatewayId, c);
      if (gatewayId !== slow) return session;
      const upload = session.uploadFile.bind(session);
      session.uploadFile = async (req) => {
        await new Promise((r) => setTimeout(r, SLOW_UPLOAD_MS));
        return upload(req);
      };
      return session;
    };
    const result = await deployTunnels(ctx, connect);
    expect(result).toEqual({ deployed: expect.arrayContaining(tunnelIds) });

    const job = (await getJob(id))!;
    const step = (name: string) => {
      const s = job.steps.find((x) => x.name === name);
      expect(s, `${name} in ${job.steps.map((x) => x.name).join(", ")}`).toBeDefined();
      return { start: s!.startedAt!.getTime(), end: s!.finishedAt!.getTime(), status: s!.status };
    };
    const slowUpload = step("upload to branch2-gw");
    const slowApply = step("apply on branch2-gw");
    const fastPing = job.steps.find((s) => /^ping through .*branch1/.test(s.name));
    expect(fastPing?.status).toBe("ok");
    // The fast tunnel: pinged and its spoke confirmed before the slow spoke had its files.
    expect(fastPing!.finishedAt!.getTime()).toBeLessThan(slowUpload.end);
    expect(step("confirm on branch1-gw").end).toBeLessThan(slowUpload.end);
    // The slow one still came up, after its own apply.
    const slowPing = job.steps.find((s) => /^ping through .*branch2/.test(s.name));
    expect(slowPing?.status).toBe("ok");
    expect(slowPing!.startedAt!.getTime()).toBeGreaterThan(slowApply.end);
    expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);
    expect(await lanPingOk(lab, "branch2", "hq")).toBe(true);
    await (await import("@/lib/jobs/runtime")).getJobRunner().start();
  });
});
