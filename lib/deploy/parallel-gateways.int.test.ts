// GATEWARDEN_PARALLEL_GATEWAYS on lab routers: at 1, a fleet deploy works on one router at
// a time in every phase (connect and read, back up and upload, apply, verify, ping,
// confirm), and the fleet still comes up; a rotation's upload and key load go one router
// at a time too, and it succeeds (its per-tunnel switch needs both routers of a tunnel).
// At the default (32) the same deploy's steps on different routers overlap (quiet-fleet-deploy.int.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabState } from "@/e2e/lab/lab";
import { runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { lanPingOk } from "@/lib/deploy/test-support/lab-checks";
import { overlappingSteps } from "@/lib/deploy/test-support/step-overlap";

// Read once, at the first use of the configuration (lib/config/env): before the app starts.
process.env.GATEWARDEN_PARALLEL_GATEWAYS = "1";

const LAB = "h-parallel-1";
let lab: LabState;
let admin: { id: string; username: string };
let tunnelIds: string[];

beforeAll(async () => {
  ({ lab, admin, tunnelIds } = await startLabApp({ name: LAB, sites: 3, platforms: ["strongswan"], tunnels: "hub-and-spoke" }));
}, 120_000);

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("GATEWARDEN_PARALLEL_GATEWAYS=1", () => {
  it("a fleet deploy works on one router at a time, and both tunnels come up", async () => {
    const { getEnv } = await import("@/lib/config/env");
    expect(getEnv().parallelGateways).toBe(1);
    const job = await runJobToEnd(admin, "deploy", { tunnelIds }, tunnelIds[0]);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const names = job.steps.map((s) => s.name);
    for (const phase of ["connect to", "upload to", "apply on", "verify", "ping through", "confirm on"])
      expect(
        names.some((n) => n.startsWith(phase)),
        phase,
      ).toBe(true);
    expect(overlappingSteps(job.steps)).toEqual([]);
    expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);
    expect(await lanPingOk(lab, "branch2", "hq")).toBe(true);
  });

  it("a fleet rotation uploads and loads keys one router at a time, and succeeds", async () => {
    const job = await runJobToEnd(admin, "rotate", { tunnelIds }, tunnelIds[0]);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const phases = job.steps.filter((s) => /^(upload the|list the SAs|load the)/.test(s.name));
    expect(phases.length).toBeGreaterThanOrEqual(3);
    expect(overlappingSteps(phases)).toEqual([]);
    expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);
    expect(await lanPingOk(lab, "branch2", "hq")).toBe(true);
  });
});
