import { describe, expect, it } from "vitest";
import type { Platform, TunnelEnd } from "@/lib/platforms/contract";
import { chunkByGateways, gatewayLoad, initiateAgainCommands, lighterEnd, type BatchTunnel } from "./fleet-plan";

const hub = (n: number, hubId = "hub", as: "a" | "b" = "a"): BatchTunnel[] =>
  Array.from({ length: n }, (_, i) => {
    const spoke = `${hubId}-s${String(i).padStart(3, "0")}`;
    return { tunnelId: `${hubId}-t${String(i).padStart(3, "0")}`, a: as === "a" ? hubId : spoke, b: as === "a" ? spoke : hubId };
  });
const gatewaysOf = (batch: BatchTunnel[]) => new Set(batch.flatMap((t) => [t.a, t.b]));

describe("chunkByGateways", () => {
  it("keeps a small fleet in one batch", () => {
    expect(chunkByGateways(hub(20), 64)).toHaveLength(1);
  });
  it("splits a 150-spoke hub into batches of at most 64 gateways, the hub in each, every tunnel once", () => {
    const batches = chunkByGateways(hub(150), 64);
    expect(batches.map((b) => b.length)).toEqual([63, 63, 24]);
    for (const b of batches) {
      expect(gatewaysOf(b).size).toBeLessThanOrEqual(64);
      expect(gatewaysOf(b).has("hub")).toBe(true);
    }
    expect(
      batches
        .flat()
        .map((t) => t.tunnelId)
        .sort(),
    ).toEqual(
      hub(150)
        .map((t) => t.tunnelId)
        .sort(),
    );
  });
  it("groups each hub's tunnels, busiest hub first", () => {
    const batches = chunkByGateways([...hub(3, "small"), ...hub(5, "big", "b")], 6);
    expect(batches.map((b) => b.map((t) => t.tunnelId.split("-")[0]))).toEqual([
      ["big", "big", "big", "big", "big"],
      ["small", "small", "small"],
    ]);
  });
  it("never exceeds the bound, whatever the shape (mesh)", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `g${i}`);
    const mesh = ids.flatMap((x, i) => ids.slice(i + 1).map((y) => ({ tunnelId: `${x}-${y}`, a: x, b: y })));
    for (const max of [2, 3, 5, 8]) {
      const batches = chunkByGateways(mesh, max);
      for (const b of batches) expect(gatewaysOf(b).size).toBeLessThanOrEqual(max);
      expect(batches.flat()).toHaveLength(mesh.length);
    }
  });
  it("refuses a bound below two gateways", () => {
    expect(() => chunkByGateways(hub(1), 1)).toThrow(/two gateways/);
  });
});

describe("lighterEnd", () => {
  it("is the spoke, whichever role the hub has", () => {
    for (const as of ["a", "b"] as const) {
      const tunnels = hub(4, "hub", as);
      const load = gatewayLoad(tunnels);
      expect(tunnels.map((t) => lighterEnd(t, load))).toEqual(Array(4).fill(as === "a" ? "b" : "a"));
    }
  });
  it("is the first end between two equally busy routers", () => {
    const t = { tunnelId: "t", a: "x", b: "y" };
    expect(lighterEnd(t, gatewayLoad([t]))).toBe("a");
  });
});

describe("initiateAgainCommands", () => {
  const cmd = (argv: string[], needsPeer = false) => ({ argv, needsPeer });
  const platform = (apply: ReturnType<typeof cmd>[]) =>
    ({ applyCommands: () => apply, keySwitch: { start: () => [cmd(["start", "it"])] } }) as unknown as Platform;
  const end = {} as TunnelEnd;

  it("is the apply's own initiating command where the apply has one", () => {
    expect(initiateAgainCommands(platform([cmd(["load"]), cmd(["initiate"], true)]), end)).toEqual([cmd(["initiate"], true)]);
  });
  it("is the platform's start where loading the files initiated", () => {
    expect(initiateAgainCommands(platform([cmd(["load"])]), end)).toEqual([cmd(["start", "it"])]);
  });
});
