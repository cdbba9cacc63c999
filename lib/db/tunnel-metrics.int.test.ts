// TunnelMetrics rows on PostgreSQL, where several app instances write: the leader's round
// and a "Check now" on another instance may record the same tunnel at the same moment.
// A write lands only on the row it was computed from, so concurrent checks never add the
// same traffic twice, and a check older than the stored one changes nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshPgDatabase, type TempPgDatabase } from "@/e2e/support/pg-db";
import type { SaReading } from "@/lib/metrics/traffic-totals";

let database: TempPgDatabase;
let tunnelId: string;
const t0 = Date.UTC(2026, 11, 6, 12);
const reading = (bytes: number, spi = "c1"): SaReading => ({
  role: "a",
  spiIn: spi,
  spiOut: `${spi}-out`,
  bytesIn: bytes,
  bytesOut: bytes,
  packetsIn: bytes / 100,
  packetsOut: bytes / 100,
});
const check = (second: number, r: SaReading | null) => ({
  at: new Date(t0 + second * 1000),
  reached: true,
  latencyMs: 1,
  lossPct: 0,
  reading: r,
});

beforeAll(async () => {
  database = await freshPgDatabase("gatewarden_metrics_test");
  process.env.DATABASE_URL = database.url;
  vi.resetModules();
  delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
  const { getDb } = await import("@/lib/db/client");
  const { ensureBuiltInProfiles } = await import("@/lib/db/crypto-profiles");
  await ensureBuiltInProfiles();
  const profile = (await getDb().cryptoProfile.findFirst())!;
  tunnelId = (await getDb().tunnel.create({ data: { kind: "net-to-net", pairKey: "a:b", cryptoProfileId: profile.id } })).id;
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client");
  await getDb().$disconnect();
  delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
  await database?.drop();
});

describe("recordTunnelCheck on PostgreSQL", () => {
  it("twenty checks of one SA written at once add its traffic once: the total is its last counter", async () => {
    const { recordTunnelCheck } = await import("@/lib/db/tunnel-metrics");
    const { getDb } = await import("@/lib/db/client");
    const checks = Array.from({ length: 20 }, (_, i) => check(i + 1, reading((i + 1) * 1000)));
    // Shuffled and all at once, as rounds of two instances may land.
    checks.sort(() => Math.random() - 0.5);
    await Promise.all(checks.map((c) => recordTunnelCheck(tunnelId, c)));
    const row = (await getDb().tunnelMetrics.findUnique({ where: { tunnelId } }))!;
    expect(row.bytesIn).toBe(20_000n);
    expect(row.observedAt.getTime()).toBe(t0 + 20_000);
  });

  it("a rekey adds the new SA in full; an older check changes nothing", async () => {
    const { recordTunnelCheck } = await import("@/lib/db/tunnel-metrics");
    const { getDb } = await import("@/lib/db/client");
    expect(await recordTunnelCheck(tunnelId, check(21, reading(500, "c2")))).toBe(true);
    expect(await recordTunnelCheck(tunnelId, check(5, reading(99_999, "c3")))).toBe(false);
    const row = (await getDb().tunnelMetrics.findUnique({ where: { tunnelId } }))!;
    expect(row.bytesIn).toBe(20_500n);
    expect(row.saSpiIn).toBe("c2");
  });

  it("an unreachable round keeps the totals and the last successful check", async () => {
    const { recordTunnelCheck } = await import("@/lib/db/tunnel-metrics");
    const { getDb } = await import("@/lib/db/client");
    await recordTunnelCheck(tunnelId, { ...check(30, null), reached: false, latencyMs: null, lossPct: null });
    const row = (await getDb().tunnelMetrics.findUnique({ where: { tunnelId } }))!;
    expect(row.bytesIn).toBe(20_500n);
    expect(row.checkedOkAt!.getTime()).toBe(t0 + 21_000);
    expect(row.latencyMs).toBeNull();
  });
});

describe("recordTunnelCheck under a crowd of writers", () => {
  it("two hundred checks of one SA at once, oldest first: every write lands or is found stale, none gives up", async () => {
    const { recordTunnelCheck } = await import("@/lib/db/tunnel-metrics");
    const { getDb } = await import("@/lib/db/client");
    const profile = (await getDb().cryptoProfile.findFirst())!;
    const id = (await getDb().tunnel.create({ data: { kind: "net-to-net", pairKey: "c:d", cryptoProfileId: profile.id } })).id;
    // In order of age: each newer check keeps losing its race to older ones that still land
    // (with five attempts, one of them gave up: "kept changing under five attempts").
    const checks = Array.from({ length: 200 }, (_, i) => check(i + 1, reading((i + 1) * 1000)));
    const results = await Promise.allSettled(checks.map((c) => recordTunnelCheck(id, c)));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const row = (await getDb().tunnelMetrics.findUnique({ where: { tunnelId: id } }))!;
    expect(row.bytesIn).toBe(200_000n);
    expect(row.observedAt.getTime()).toBe(t0 + 200_000);
  });
});
