import { describe, expect, it } from "vitest";
import { fakeRouterIO as fakeIo } from "@/lib/deploy/test-support/fake-router-io";
import { runPerGateway, type ScheduledTunnel } from "./gateway-scheduler";

const tick = () => new Promise((r) => setTimeout(r, 5));

async function simulate(tunnels: ScheduledTunnel[], maxGateways: number) {
  const log: string[] = [];
  const open = new Set<string>();
  let maxOpen = 0;
  const inUse = new Set<string>();
  const results = await runPerGateway(tunnels, {
    maxGateways,
    connect: async (g) => {
      log.push(`connect ${g}`);
      open.add(g);
      maxOpen = Math.max(maxOpen, open.size);
      const io = fakeIo(g, log);
      const close = io.close.bind(io);
      io.close = () => {
        open.delete(g);
        return close();
      };
      return io;
    },
    run: async (t, io) => {
      for (const g of t.gatewayIds) {
        if (inUse.has(g)) throw new Error(`${g} used by two tunnels at once`);
        inUse.add(g);
        await io(g);
      }
      await tick();
      for (const g of t.gatewayIds) inUse.delete(g);
      return t.tunnelId;
    },
    onError: (t, e) => `${t.tunnelId}: ${String(e)}`,
  });
  await tick();
  return { results, log, maxOpen, stillOpen: open.size };
}

describe("runPerGateway", () => {
  it("visits a hub with N tunnels over one session, one tunnel at a time", async () => {
    const spokes = ["s1", "s2", "s3", "s4"].map((s): ScheduledTunnel => ({ tunnelId: `hub-${s}`, gatewayIds: ["hub", s] }));
    const r = await simulate(spokes, 16);
    expect(r.results).toEqual(spokes.map((t) => t.tunnelId));
    expect(r.log.filter((l) => l === "connect hub")).toHaveLength(1);
    expect(r.stillOpen).toBe(0);
  });

  it("runs disjoint tunnels in parallel but never opens more than maxGateways sessions", async () => {
    const pairs = Array.from({ length: 20 }, (_, i): ScheduledTunnel => ({ tunnelId: `t${i}`, gatewayIds: [`a${i}`, `b${i}`] }));
    const r = await simulate(pairs, 6);
    expect(r.results).toHaveLength(20);
    expect(r.maxOpen).toBeLessThanOrEqual(6);
    expect(r.maxOpen).toBeGreaterThanOrEqual(4);
  });

  it("makes room by closing idle sessions rather than stalling", async () => {
    const tunnels: ScheduledTunnel[] = [
      { tunnelId: "ab", gatewayIds: ["a", "b"] },
      { tunnelId: "ac", gatewayIds: ["a", "c"] },
      { tunnelId: "bd", gatewayIds: ["b", "d"] },
    ];
    const r = await simulate(tunnels, 2);
    expect(r.results).toEqual(["ab", "ac", "bd"]);
    expect(r.maxOpen).toBeLessThanOrEqual(2);
  });

  it("a failing tunnel does not stop the others", async () => {
    const log: string[] = [];
    const results = await runPerGateway(
      [
        { tunnelId: "x", gatewayIds: ["a", "b"] },
        { tunnelId: "y", gatewayIds: ["c", "d"] },
      ],
      {
        maxGateways: 16,
        connect: async (g) => fakeIo(g, log),
        run: async (t) => {
          if (t.tunnelId === "x") throw new Error("boom");
          return "ok";
        },
        onError: (_t, e) => `failed: ${(e as Error).message}`,
      },
    );
    expect(results).toEqual(["failed: boom", "ok"]);
  });
});
