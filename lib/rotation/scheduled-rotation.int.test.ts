// Scheduled PSK rotation on a real database: with a maximum key age on a site and the
// maintenance window on, a round inside the window queues one rotate job — the button's
// job — for exactly the tunnels whose keys are past or near their age, once per window.
// No router is involved: the job runner is stopped, so the job stays queued and no SSH
// connection is tried (the rotate job's own work is lib/rotation's tests).
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";

let admin: { id: string; username: string };
let tunnels: { id: string; gateway: string }[];
const DAY = 86_400_000;

beforeAll(async () => {
  await freshAppDatabase();
  admin = await createAdmin();
  // A stopped runner ignores every wake: queued jobs stay queued.
  const { getJobRunner } = await import("@/lib/jobs/runtime");
  await getJobRunner().stop();
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  const { getDb } = await import("@/lib/db/client");
  const { generateEd25519KeyPair } = await import("@/lib/ssh/keys");
  const db = getDb();
  const site = (i: number) => ({
    siteName: `Site ${i}`,
    subnets: `10.78.${i}.0/24`,
    gatewayName: `gw${i}`,
    platform: "strongswan",
    publicIp: `198.18.78.${i + 10}`,
    sshPort: "22",
    sshUser: "root",
    sshAuthType: "key",
    sshPrivateKey: generateEd25519KeyPair().privateKey,
    wanInterface: "eth0",
    lanInterface: "eth1",
    lanAddress: `10.78.${i}.254`,
  });
  await createBranchOffice(admin, { ...site(0), role: "hub" });
  const hub = await db.gateway.findUniqueOrThrow({ where: { name: "gw0" } });
  const profile = await db.cryptoProfile.findFirstOrThrow({ where: { name: "Modern" } });
  for (const i of [1, 2, 3]) {
    await createBranchOffice(admin, { ...site(i), role: "branch", hubGatewayId: hub.id, cryptoProfileId: profile.id });
  }
  // As after a deploy: pinned host keys, deployed tunnels.
  await db.gateway.updateMany({ data: { hostKeyFingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } });
  await db.tunnel.updateMany({ data: { deployState: "deployed" } });
  const rows = await db.tunnel.findMany({ include: { ends: { include: { gateway: true } } } });
  tunnels = rows.map((t) => ({ id: t.id, gateway: t.ends.find((e) => e.gateway.name !== "gw0")!.gateway.name }));
});

describe("scheduled PSK rotation", () => {
  it("queues one rotate job for the keys past or near their age in the window, once per window", async () => {
    const { getDb } = await import("@/lib/db/client");
    const { setPskMaxAgeFor, updateRotationSchedule } = await import("@/lib/alerts/manage-alerts");
    const { runScheduledRotation } = await import("@/lib/rotation/scheduled-rotation");
    const db = getDb();
    const byGw = (g: string) => tunnels.find((t) => t.gateway === g)!.id;
    const now = new Date("2026-12-06T03:10:00Z"); // a Sunday, inside 03:00–04:00
    const activated = (gw: string, daysAgo: number) =>
      db.presharedKey.updateMany({
        where: { tunnelId: byGw(gw), status: "active" },
        data: { activatedAt: new Date(now.getTime() - daysAgo * DAY) },
      });
    await activated("gw1", 100); // past 90 days
    await activated("gw2", 85); // near (the last tenth)
    await activated("gw3", 10); // fine

    const hubSite = await db.site.findUniqueOrThrow({ where: { name: "Site 0" } });
    await setPskMaxAgeFor(admin, { siteId: hubSite.id }, { pskMaxAgeDays: "90" });
    // Off by default: nothing happens until an admin turns the window on.
    expect(await runScheduledRotation(now)).toBeNull();
    await updateRotationSchedule(admin, { enabled: "on", cron: "0 3 * * 0", windowMinutes: "60" });

    expect(await runScheduledRotation(new Date("2026-12-06T02:59:00Z"))).toBeNull(); // before the window
    const jobId = await runScheduledRotation(now);
    expect(jobId).not.toBeNull();
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId! } });
    expect(job).toMatchObject({ kind: "rotate", status: "queued", createdByName: "scheduled rotation" });
    expect((JSON.parse(job.params) as { tunnelIds: string[] }).tunnelIds.sort()).toEqual([byGw("gw1"), byGw("gw2")].sort());

    // Later rounds in the same window queue nothing more.
    expect(await runScheduledRotation(new Date("2026-12-06T03:40:00Z"))).toBeNull();
    expect(await db.job.count({ where: { kind: "rotate" } })).toBe(1);

    // A tunnel's own age wins over its site's: gw3's 10-day-old key with a 7-day maximum is due next window.
    await setPskMaxAgeFor(admin, { tunnelId: byGw("gw3") }, { pskMaxAgeDays: "7" });
    await db.presharedKey.updateMany({ where: { tunnelId: { in: [byGw("gw1"), byGw("gw2")] } }, data: { activatedAt: now } });
    const next = await runScheduledRotation(new Date("2026-12-13T03:05:00Z"));
    const job2 = await db.job.findUniqueOrThrow({ where: { id: next! } });
    expect(JSON.parse(job2.params)).toEqual({ tunnelIds: [byGw("gw3")] });

    // Audited: the age policy and the window.
    const actions = (await db.auditEvent.findMany({ orderBy: { at: "asc" } })).map((e) => e.action);
    expect(actions.filter((a) => a === "psk-policy.update" || a === "rotation-schedule.update")).toEqual([
      "psk-policy.update",
      "rotation-schedule.update",
      "psk-policy.update",
    ]);
  });

  it("refuses a bad cron expression or window next to the field, changing nothing", async () => {
    const { updateRotationSchedule, setPskMaxAgeFor } = await import("@/lib/alerts/manage-alerts");
    await expect(updateRotationSchedule(admin, { enabled: "on", cron: "every sunday", windowMinutes: "2" })).rejects.toMatchObject({
      fieldErrors: { cron: expect.stringMatching(/^not a cron expression/), windowMinutes: "at least 5 minutes" },
    });
    await expect(setPskMaxAgeFor(admin, { tunnelId: tunnels[0]!.id }, { pskMaxAgeDays: "-3" })).rejects.toMatchObject({
      fieldErrors: { pskMaxAgeDays: "at least 1 day" },
    });
    const { getRotationSchedule } = await import("@/lib/db/alert-config");
    expect((await getRotationSchedule())?.cron).toBe("0 3 * * 0");
  });
});
