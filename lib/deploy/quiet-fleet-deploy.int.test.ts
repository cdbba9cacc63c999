// Issue 16 item 4 on lab routers: a successful fleet deploy of a hub and its spokes logs
// nothing alarming. The hub (the busier router) initiates nothing, neither by a command
// nor by its loaded configuration; each spoke initiates its own tunnel once; exits that
// are normal at that moment are not styled as problems (no error or warn level).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execInRouter, type LabState } from "@/e2e/lab/lab";
import { runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { lanPingOk } from "@/lib/deploy/test-support/lab-checks";
import { overlappingSteps } from "@/lib/deploy/test-support/step-overlap";

const LAB = "h-demo-quiet";
let lab: LabState;
let admin: { id: string; username: string };
let tunnelIds: string[];

beforeAll(async () => {
  ({ lab, admin, tunnelIds } = await startLabApp({ name: LAB, sites: 3, platforms: ["strongswan"], tunnels: "hub-and-spoke" }));
}, 120_000);

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("a fleet deploy of a hub and two spokes", () => {
  it("succeeds with no error- or warn-level line, the hub initiating nothing", async () => {
    const job = await runJobToEnd(admin, "deploy", { tunnelIds }, tunnelIds[0]);
    const lines = job.logs.map((l) => `${l.level} ${l.gateway ?? "-"}: ${l.message}`);
    expect(job.error, lines.join("\n")).toBeNull();
    expect(job.status).toBe("succeeded");
    expect(lines.filter((l) => /^(error|warn) /.test(l))).toEqual([]);
    // At the default GATEWARDEN_PARALLEL_GATEWAYS the routers are worked on side by side (parallel-gateways.int.test.ts: at 1, never).
    expect(overlappingSteps(job.steps).length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toMatch(/NO_PROPOSAL_CHOSEN|existing duplicate/);
    // The hub ran no --initiate, and its charon started no IKE SA of its own.
    expect(lines.filter((l) => l.includes("hq-gw:") && l.includes("--initiate"))).toEqual([]);
    const hubLog = (await execInRouter(lab, "hq", ["cat", "/run/charon.log"])).stdout;
    expect(hubLog).not.toMatch(/initiating IKE_SA/);
    expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);
    expect(await lanPingOk(lab, "branch2", "hq")).toBe(true);
  });
});
