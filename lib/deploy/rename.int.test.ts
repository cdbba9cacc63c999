// Tunnels deployed under the bare-id connection names of before (gw-<tunnel id>) are
// renamed on their next deploy: the old connection stopped and unloaded on both
// routers, its files and key removed, the readable one loaded and carrying traffic.
// A renaming deploy that fails puts the old name back on both routers. Real lab
// routers (sshd + strongSwan in namespaces), real database, real job runner.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execInRouter, getRouter, type LabState } from "@/e2e/lab/lab";
import { startSshd } from "@/e2e/lab/daemons";
import { addLabTunnel, runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { configSnapshot, lanPingOk } from "@/lib/deploy/test-support/lab-checks";

// Longer than a deploy that verifies and than Gatewarden's own rollback of the router it
// still reaches (lib/deploy/commit-confirm.int.test.ts), so only a cut router restores itself.
const CONFIRM_SECONDS = 60;
// Read once by lib/config/env, before any job runs.
process.env.GATEWARDEN_COMMIT_CONFIRM_SECONDS = String(CONFIRM_SECONDS);

const LAB = "h-names-rename";
/** The tunnel the rollback test leaves under its bare-id name (the commit-confirm test renames it again). */
let stillLegacy: string;
let lab: LabState;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;

const db = async () => (await import("@/lib/db/client")).getDb();
const deploy = (tunnelId: string) => runJobToEnd(admin, "deploy", { tunnelId });
const ROUTERS = ["hq", "branch1"] as const;
const CONF_D = "/etc/swanctl/conf.d";

/** The migration's own UPDATE (prisma/<provider>/migrations/…_connection_names), as it ran on an upgraded database. */
function migrationUpdate(): string {
  const provider = (process.env.DATABASE_URL ?? "").startsWith("postgres") ? "postgres" : "sqlite";
  const dir = path.join(process.cwd(), "prisma", provider, "migrations", "20261207150000_connection_names");
  const sql = readFileSync(path.join(dir, "migration.sql"), "utf8");
  const update = /^UPDATE "TunnelEnd"[^;]*;/m.exec(sql);
  if (!update) throw new Error("the migration has no UPDATE of TunnelEnd");
  return update[0];
}

/**
 * A tunnel as a deploy before readable names left it: on both routers under
 * gw-<tunnel id>; in the database as the migration leaves it (no stored readable
 * name, each end holding the bare-id name).
 */
async function deployedUnderLegacyName(): Promise<string> {
  const t = await addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch1", profile: "Modern" });
  const legacy = `gw-${t.toLowerCase()}`;
  // Deploy under the legacy name (what the old code did), then take the database to the migrated state.
  await (await db()).tunnel.update({ where: { id: t }, data: { connectionName: legacy } });
  expect((await deploy(t)).status).toBe("succeeded");
  await (await db()).tunnel.update({ where: { id: t }, data: { connectionName: null } });
  await (await db()).tunnelEnd.updateMany({ where: { tunnelId: t }, data: { connectionName: null } });
  await (await db()).$executeRawUnsafe(migrationUpdate());
  const ends = await (await db()).tunnelEnd.findMany({ where: { tunnelId: t } });
  expect(ends.map((e) => e.connectionName)).toEqual([legacy, legacy]);
  for (const r of ROUTERS) expect(await listConfD(r)).toEqual([`${legacy}.conf`, `${legacy}.secrets.conf`]);
  expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);
  return t;
}

async function listConfD(router: string): Promise<string[]> {
  const ls = await execInRouter(lab, router, ["ls", "-1", CONF_D]);
  return ls.stdout.split("\n").filter(Boolean).sort();
}

/** Connection names charon has loaded, and those with an installed CHILD SA. */
async function charonNames(router: string): Promise<{ conns: string[]; installed: string[] }> {
  const conns = (await execInRouter(lab, router, ["swanctl", "--list-conns"])).stdout;
  const sas = (await execInRouter(lab, router, ["swanctl", "--list-sas"])).stdout;
  const names = (text: string) => [...new Set([...text.matchAll(/^(gw-[a-z0-9-]+):/gm)].map((m) => m[1]!))].sort();
  const installed = [...sas.matchAll(/^\s+(gw-[a-z0-9-]+): #\d+, reqid \d+, INSTALLED/gm)].map((m) => m[1]!);
  return { conns: names(conns), installed: [...new Set(installed)].sort() };
}

/** Files under /etc/swanctl holding the tunnel's key (the key itself never leaves the test). */
async function filesHoldingKey(router: string, psk: string): Promise<string[]> {
  const r = await execInRouter(lab, router, ["grep", "-rlF", "--", psk, "/etc/swanctl"]);
  return r.stdout.split("\n").filter(Boolean).sort();
}

beforeAll(async () => {
  ({ lab, admin, gatewayIds } = await startLabApp({ name: LAB, sites: 2, platforms: ["strongswan", "strongswan"] }));
});

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("readable connection names on lab routers", () => {
  it("a tunnel deployed under its bare-id name ends, after its next deploy, with only the readable name on both routers", async () => {
    const t = await deployedUnderLegacyName();
    const legacy = `gw-${t.toLowerCase()}`;
    const job = await deploy(t);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");

    const row = (await (await db()).tunnel.findUnique({ where: { id: t }, include: { ends: true } }))!;
    const name = row.connectionName!;
    expect(name).toMatch(/^gw-hq--branch-1-[0-9a-f]{8}$/);
    expect(row.ends.map((e) => e.connectionName)).toEqual([name, name]);

    const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
    const psk = (await loadTunnelEnds(t))!.ends[0].end.psk;
    for (const r of ROUTERS) {
      expect(await listConfD(r)).toEqual([`${name}.conf`, `${name}.secrets.conf`]);
      const charon = await charonNames(r);
      expect(charon.conns).toEqual([name]);
      expect(charon.installed).toEqual([name]);
      // One key line, in the new name's file: none left behind under the old name.
      expect(await filesHoldingKey(r, psk)).toEqual([`${CONF_D}/${name}.secrets.conf`]);
      const mode = await execInRouter(lab, r, ["stat", "-c", "%a", `${CONF_D}/${name}.secrets.conf`]);
      expect(mode.stdout.trim()).toBe("600");
    }
    expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);

    const log = job.logs.map((l) => l.message).join("\n");
    expect(log).toContain(`$ swanctl --terminate --ike ${legacy}`);
    expect(log).toContain(`--- ${CONF_D}/${legacy}.secrets.conf (secret file removed`);
    expect(log).not.toContain(psk);
    expect(log).toMatch(/commit-confirm armed/);

    // Stable: a site renamed afterwards changes nothing on the routers.
    await (await db()).site.update({ where: { name: "Branch 1" }, data: { name: "Bergen" } });
    const again = await deploy(t);
    expect(again.status).toBe("succeeded");
    expect((await (await db()).tunnel.findUnique({ where: { id: t } }))!.connectionName).toBe(name);
    for (const r of ROUTERS) expect(await listConfD(r)).toEqual([`${name}.conf`, `${name}.secrets.conf`]);
    await (await db()).site.update({ where: { name: "Bergen" }, data: { name: "Branch 1" } });

    // Torn down: the readable name's files go; nothing of the tunnel is left on either router.
    expect((await runJobToEnd(admin, "teardown", { tunnelId: t })).status).toBe("succeeded");
    for (const r of ROUTERS) {
      expect(await listConfD(r)).toEqual([]);
      expect((await charonNames(r)).conns).toEqual([]);
    }
    await (await db()).tunnel.delete({ where: { id: t } });
  });

  it("a renaming deploy that fails is rolled back to the old name on both routers, which carries traffic again", async () => {
    const t = await deployedUnderLegacyName();
    stillLegacy = t;
    const legacy = `gw-${t.toLowerCase()}`;
    const before = Object.fromEntries(await Promise.all(ROUTERS.map(async (r) => [r, await configSnapshot(lab, r)] as const)));
    const hqIp = lab.routers.find((r) => r.name === "hq")!.publicIp;
    // branch1 cannot reach hq's IKE any more: the renamed tunnel cannot come up. Once the
    // deploy says it rolls back, the path is mended, so the restored old tunnel can.
    await execInRouter(lab, "branch1", ["ip", "route", "add", "blackhole", `${hqIp}/32`]);
    const { enqueueJob } = await import("@/lib/jobs/runtime");
    const { getJob } = await import("@/lib/db/jobs");
    const id = await enqueueJob({ kind: "deploy", targetType: "tunnel", targetId: t, params: { tunnelId: t }, actor: admin });
    let mended = false;
    let job = await getJob(id);
    for (let i = 0; i < 1800 && (job?.status === "queued" || job?.status === "running"); i++) {
      if (!mended && job.logs.some((l) => l.message.includes("Rolling back"))) {
        await execInRouter(lab, "branch1", ["ip", "route", "del", "blackhole", `${hqIp}/32`]);
        mended = true;
      }
      await new Promise((r) => setTimeout(r, 100));
      job = await getJob(id);
    }
    if (!mended) await execInRouter(lab, "branch1", ["ip", "route", "del", "blackhole", `${hqIp}/32`]);
    expect(mended).toBe(true);
    expect(job!.status).toBe("failed");
    const log = job!.logs.map((l) => l.message).join("\n");
    expect(log).toContain("the previous tunnel is up again");

    for (const r of ROUTERS) {
      expect(await configSnapshot(lab, r)).toBe(before[r]);
      expect(await listConfD(r)).toEqual([`${legacy}.conf`, `${legacy}.secrets.conf`]);
      const charon = await charonNames(r);
      expect(charon.conns).toEqual([legacy]);
      expect(charon.installed).toEqual([legacy]);
    }
    expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);
    // The database still says the routers hold the old name: the next deploy renames again.
    const ends = await (await db()).tunnelEnd.findMany({ where: { tunnelId: t } });
    expect(ends.map((e) => e.connectionName)).toEqual([legacy, legacy]);
  });

  it("SSH cut right after a renaming apply: the cut router's commit-confirm timer puts the old name back by itself, the other is rolled back", async () => {
    const t = stillLegacy;
    const legacy = `gw-${t.toLowerCase()}`;
    const before = Object.fromEntries(await Promise.all(ROUTERS.map(async (r) => [r, await configSnapshot(lab, r)] as const)));
    const { insertJob } = await import("@/lib/db/jobs");
    const { createJobContext } = await import("@/lib/jobs/context");
    const { deployTunnels } = await import("@/lib/deploy/deploy-tunnels");
    const { connectGatewayForJob } = await import("@/lib/deploy/connect");
    // This test drives the handler itself (to cut a router at a chosen moment): the runner must not take the row.
    await (await import("@/lib/jobs/runtime")).getJobRunner().stop();
    const { id } = await insertJob({
      kind: "deploy",
      targetType: "tunnel",
      targetId: t,
      params: { tunnelId: t },
      createdById: admin.id,
      createdByName: admin.username,
    });
    const ctx = await createJobContext(id, "deploy", { tunnelId: t }, admin);
    let applies = 0;
    let cut: string | null = null;
    const step = ctx.step.bind(ctx);
    // After the second router's apply step (the readable name loaded there), that router's sshd is killed by its PID.
    (ctx as { step: typeof ctx.step }).step = async (name, gatewayId, fn) => {
      try {
        return await step(name, gatewayId, fn);
      } finally {
        if (name.startsWith("apply on ") && ++applies === 2) {
          const router = name.slice("apply on ".length).replace(/-gw$/, "");
          await execInRouter(lab, router, ["sh", "-c", 'p="$(cat /run/sshd.pid)"; pkill -KILL -P "$p"; kill -KILL "$p"']);
          cut = router;
        }
      }
    };
    try {
      const outcome = await deployTunnels(ctx, connectGatewayForJob).then(
        () => "succeeded",
        (e: Error) => e.message,
      );
      expect(outcome).not.toBe("succeeded");
      await (await db()).job.update({ where: { id }, data: { status: "failed", error: outcome, finishedAt: new Date() } });
      expect(cut).not.toBeNull();
      const router = cut!;
      const reverted = async () =>
        (await execInRouter(lab, router, ["test", "-f", `/var/lib/gatewarden/confirm/${id}/reverted`])).code === 0;
      const until = Date.now() + (CONFIRM_SECONDS + 15) * 1000;
      while (!(await reverted()) && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
      expect(await reverted()).toBe(true);
      for (const r of ROUTERS) {
        // The cut router by its own timer, the other by Gatewarden: both hold the old name's files, and charon the old name.
        expect(await configSnapshot(lab, r)).toBe(before[r]);
        expect(await listConfD(r)).toEqual([`${legacy}.conf`, `${legacy}.secrets.conf`]);
        expect((await charonNames(r)).conns).toEqual([legacy]);
      }
      let ok = false;
      for (let i = 0; i < 10 && !ok; i++) ok = await lanPingOk(lab, "branch1", "hq");
      expect(ok).toBe(true);
      const ends = await (await db()).tunnelEnd.findMany({ where: { tunnelId: t } });
      expect(ends.map((e) => e.connectionName)).toEqual([legacy, legacy]);
    } finally {
      if (cut) await startSshd(getRouter(lab, cut));
      await (await import("@/lib/jobs/runtime")).getJobRunner().start();
    }
  });
});
