// PSK rotation against real lab routers (sshd + strongSwan in network namespaces, both
// platforms): the new key is in both routers' files, a NEW IKE SA proves it
// authenticated, LAN traffic flows, the audit says so, and the interruption is
// measured with a 10 ms ping. Faults: an SSH session cut mid-upload, a key mismatch
// that make_before_break would hide, and an app that dies mid-rotation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { execInRouter, startLab, stopLab, type LabState } from "@/e2e/lab/lab";
import { labSwanctl } from "@/e2e/lab/router-files";
import { registerLab } from "@/e2e/lab/register";
import { connectionNameOf } from "@/e2e/support/lab-jobs";
import { parseListSasRaw } from "@/lib/platforms/strongswan/parse-list-sas-raw";
import { tunnelIkeSas } from "@/lib/rotation/key-switch";
import { lanPingMeter } from "@/bench/rotation-interruption";
import { runRotation, runTunnelJob, waitForJob } from "@/lib/rotation/test-support";
import { lanPingOk as labLanPingOk } from "@/lib/deploy/test-support/lab-checks";

const LAB = "gwtest-rotate";
let lab: LabState;
const lanPingOk = (from: string, to: string) => labLanPingOk(lab, from, to);
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;
const tunnels: Record<string, string> = {};
const interruption: Record<string, number[]> = {};

const db = async () => (await import("@/lib/db/client")).getDb();
const routerOfGateway = (gatewayName: string) => gatewayName.replace(/-gw$/, "");

/** Each end's secret files as rendered for `version`, compared with what the router holds. */
async function expectRoutersHold(tunnelId: string, version: number) {
  const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
  const { getPlatform } = await import("@/lib/platforms");
  const loaded = (await loadTunnelEnds(tunnelId, version))!;
  for (const end of loaded.ends) {
    for (const f of getPlatform(end.platform)
      .render(end.end)
      .filter((x) => x.secret)) {
      const r = await execInRouter(lab, routerOfGateway(end.gatewayName), ["cat", f.path]);
      expect(r.stdout, `${end.gatewayName}:${f.path}`).toBe(f.content);
      expect(r.stdout).toContain(end.end.psk);
      expect((await execInRouter(lab, routerOfGateway(end.gatewayName), ["stat", "-c", "%a", f.path])).stdout.trim()).toBe("600");
    }
  }
  return loaded.ends[0].end.psk;
}

async function secretFilesSnapshot(router: string) {
  return (
    await execInRouter(lab, router, [
      "sh",
      "-c",
      "sha256sum /etc/swanctl/conf.d/*.secrets.conf /etc/sysconfig/network-scripts/keys-* 2>/dev/null | sort -k2",
    ])
  ).stdout;
}

/** This tunnel's IKE SAs on a router, as "spi_spi#id". */
async function ikeSasOn(router: string, peer: string) {
  const peerIp = lab.routers.find((r) => r.name === peer)!.publicIp;
  // Both platforms' lab routers run charon (CentOS ones hide swanctl: their emulation's own copy): its raw listing, read by peer address.
  const r = lab.routers.find((x) => x.name === router)!;
  const out = await execInRouter(lab, router, [labSwanctl(r.platform), "--list-sas", "--raw"]);
  return tunnelIkeSas(parseListSasRaw(out.stdout), peerIp)
    .filter((s) => s.state === "ESTABLISHED")
    .map((s) => `${s.initiatorSpi}_${s.responderSpi}#${s.uniqueId}`);
}

async function keyStatus(tunnelId: string) {
  return (await (await db()).presharedKey.findMany({ where: { tunnelId }, orderBy: { version: "asc" } })).map(
    (k) => `v${k.version}:${k.status}`,
  );
}

async function rotationAudits(tunnelId: string) {
  const { listAuditEvents } = await import("@/lib/db/audit");
  return (await listAuditEvents({ targetType: "tunnel", targetId: tunnelId })).filter((e) => e.action === "tunnel.psk.rotate");
}

beforeAll(async () => {
  lab = await startLab({ name: LAB, sites: 5, platforms: ["strongswan", "strongswan", "centos-racoon", "centos-racoon", "strongswan"] });
  await freshAppDatabase();
  admin = await createAdmin();
  const reg = await registerLab(lab, admin, { tunnels: "hub-and-spoke" });
  gatewayIds = reg.gatewayIds;
  for (const [i, name] of ["hqB1", "hqB2", "hqB3", "hqB4"].entries()) tunnels[name] = reg.tunnelIds[i]!;
  const { createTunnel } = await import("@/lib/inventory/host-tunnel");
  const { listCryptoProfiles } = await import("@/lib/db/inventory");
  const racoon = (await listCryptoProfiles()).find((p) => p.name === "Modern IKEv1 (racoon)")!;
  tunnels.b2B3 = (
    await createTunnel(admin, {
      kind: "net-to-net",
      gatewayAId: gatewayIds.get("branch2")!,
      gatewayBId: gatewayIds.get("branch3")!,
      cryptoProfileId: racoon.id,
    })
  ).tunnelId;
  for (const t of [tunnels.b2B3, tunnels.hqB1, tunnels.hqB2, tunnels.hqB3, tunnels.hqB4]) {
    const job = await runTunnelJob(admin, "deploy", t!);
    expect(job.error).toBeNull();
  }
}, 300_000);

afterAll(async () => {
  const { getJobRunner } = await import("@/lib/jobs/runtime");
  await getJobRunner().stop();
  await stopLab(LAB);
  console.log(`\nLAN ping every 10 ms during rotation, packets lost: ${JSON.stringify(interruption)}`);
});

describe("PSK rotation on lab routers", () => {
  it("strongSwan pair: new key in both files, a new IKE SA on both ends, 0 packets lost, audited", async () => {
    const t = tunnels.hqB1!;
    const before = { hq: await ikeSasOn("hq", "branch1"), b1: await ikeSasOn("branch1", "hq") };
    const { outcomes } = await runRotation(admin, [t], { measureInterruption: lanPingMeter(lab) });
    const o = outcomes[0]!;
    expect(o.error).toBeNull();
    expect(o).toMatchObject({ result: "rotated", fromVersion: 1, toVersion: 2 });
    await expectRoutersHold(t, 2);
    const after = { hq: await ikeSasOn("hq", "branch1"), b1: await ikeSasOn("branch1", "hq") };
    expect(after.hq.length).toBeGreaterThan(0);
    expect(after.hq.filter((s) => before.hq.includes(s))).toEqual([]);
    expect(after.b1.filter((s) => before.b1.includes(s))).toEqual([]);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    expect(await keyStatus(t)).toEqual(["v1:retired", "v2:active"]);
    const audit = (await rotationAudits(t))[0]!;
    expect(audit.actorName).toBe("admin");
    expect(JSON.parse(audit.after!)).toMatchObject({ result: "rotated", pskVersion: 2, interruption: { lost: 0 } });
    if (o.interruption === "not measured") throw new Error("not measured");
    (interruption["strongswan↔strongswan"] ??= []).push(o.interruption.lost);
    expect(o.interruption.sent).toBeGreaterThan(20);
    expect(o.interruption.lost).toBe(0);
  });

  it("CentOS pair (ifdown/ifup): new key in keys-ipsecN on both, a new SA, pings pass; loss printed", async () => {
    const t = tunnels.b2B3!;
    const before = await ikeSasOn("branch2", "branch3");
    const { outcomes } = await runRotation(admin, [t], { measureInterruption: lanPingMeter(lab) });
    const o = outcomes[0]!;
    expect(o.error).toBeNull();
    expect(o.result).toBe("rotated");
    await expectRoutersHold(t, 2);
    const after = await ikeSasOn("branch2", "branch3");
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => before.includes(s))).toEqual([]);
    expect(await lanPingOk("branch3", "branch2")).toBe(true);
    if (o.interruption === "not measured") throw new Error("not measured");
    (interruption["centos↔centos"] ??= []).push(o.interruption.lost);
    console.log(`centos-racoon pair rotation: ${o.interruption.lost} of ${o.interruption.sent} packets lost (ping every 10 ms)`);
  });

  it("mixed strongSwan ↔ CentOS pair through the job queue; the audit says the interruption was not measured", async () => {
    const { enqueueJob } = await import("@/lib/jobs/runtime");
    const t = tunnels.hqB2!;
    const job = await waitForJob(
      await enqueueJob({ kind: "rotate", targetType: "tunnel", targetId: t, params: { tunnelIds: [t] }, actor: admin }),
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    await expectRoutersHold(t, 2);
    expect(await lanPingOk("branch2", "hq")).toBe(true);
    expect(JSON.parse((await rotationAudits(t))[0]!.after!)).toMatchObject({ result: "rotated", interruption: "not measured" });
  });

  it("SSH cut while uploading to the second end: both ends back on the old key, tunnel up", async () => {
    const t = tunnels.hqB4!;
    const files = { hq: await secretFilesSnapshot("hq"), b4: await secretFilesSnapshot("branch4") };
    const { connectGatewayForJob } = await import("@/lib/deploy/connect");
    let cut = false;
    const { getDb } = await import("@/lib/db/client");
    // The real connection; branch4's first upload kills its sshd session first.
    const connect: typeof connectGatewayForJob = async (gatewayId, c) => {
      const session = await connectGatewayForJob(gatewayId, c);
      if (gatewayId !== gatewayIds.get("branch4") || cut) return session;
      const upload = session.uploadFile.bind(session);
      session.uploadFile = async (req) => {
        cut = true;
        // Only this router's connections: the children of its own listening sshd (a bare
        // `pkill -f "sshd: root"` would cut every lab's sessions: the routers share our PID namespace).
        await execInRouter(lab, "branch4", ["sh", "-c", 'pkill -KILL -P "$(cat /run/sshd.pid)"']);
        return upload(req);
      };
      return session;
    };
    const { outcomes } = await runRotation(admin, [t], {}, connect);
    expect(cut).toBe(true);
    expect(outcomes[0]).toMatchObject({ result: "reverted" });
    expect(outcomes[0]!.error).toMatch(/connection|lost|closed|not connected/i);
    expect({ hq: await secretFilesSnapshot("hq"), b4: await secretFilesSnapshot("branch4") }).toEqual(files);
    await expectRoutersHold(t, 1);
    expect(await lanPingOk("branch4", "hq")).toBe(true);
    expect(await keyStatus(t)).toEqual(["v1:active", "v2:retired"]);
    const ends = await getDb().tunnelEnd.findMany({ where: { tunnelId: t } });
    expect(ends.map((e) => e.appliedPskVersion)).toEqual([1, 1]);
    expect(JSON.parse((await rotationAudits(t))[0]!.after!)).toMatchObject({ result: "reverted" });
  });

  it("a key mismatch that make_before_break hides (old SA stays up) is caught and reverted", async () => {
    const t = tunnels.hqB4!;
    const files = { hq: await secretFilesSnapshot("hq"), b4: await secretFilesSnapshot("branch4") };
    // After branch4 received the new key, its file is overwritten with a different key.
    const { outcomes } = await runRotation(admin, [t], {
      afterEndUploaded: async (_id, role) => {
        if (role !== "b") return;
        await execInRouter(lab, "branch4", [
          "sh",
          "-c",
          `sed -i 's/secret = .*/secret = "wrong-key-${Date.now()}-xxxxxxxxxxxx"/' /etc/swanctl/conf.d/${await connectionNameOf(t)}.secrets.conf`,
        ]);
      },
    });
    expect(outcomes[0]).toMatchObject({ result: "reverted" });
    expect(outcomes[0]!.error).toMatch(/only the old IKE SA/);
    expect({ hq: await secretFilesSnapshot("hq"), b4: await secretFilesSnapshot("branch4") }).toEqual(files);
    expect(await lanPingOk("branch4", "hq")).toBe(true);
    expect((await keyStatus(t)).filter((k) => k.endsWith("active"))).toEqual(["v1:active"]);
  });

  it("the app dies after the first end got the new key: on restart, recovery reverts both ends", async () => {
    const t = tunnels.hqB3!;
    const files = { hq: await secretFilesSnapshot("hq"), b3: await secretFilesSnapshot("branch3") };
    let reached!: () => void;
    const atCrash = new Promise<void>((r) => (reached = r));
    // The engine stops forever here, as if the process had died.
    void runRotation(admin, [t], {
      afterEndUploaded: async (_id, role) => (role === "a" ? (reached(), new Promise<never>(() => {})) : undefined),
    });
    await atCrash;
    expect(
      (await (await db()).tunnelEnd.findMany({ where: { tunnelId: t }, orderBy: { role: "asc" } })).map((e) => e.appliedPskVersion),
    ).toEqual([2, 1]);
    const recovery = await restartAndRecover();
    expect(recovery.error).toBeNull();
    expect(recovery.status).toBe("succeeded");
    expect(JSON.parse(recovery.result!).decisions[0]).toMatchObject({ action: "revert", result: "reverted" });
    expect({ hq: await secretFilesSnapshot("hq"), b3: await secretFilesSnapshot("branch3") }).toEqual(files);
    await expectRoutersHold(t, 1);
    expect(await keyStatus(t)).toEqual(["v1:active", "v2:retired"]);
    expect(await lanPingOk("branch3", "hq")).toBe(true);
  });

  it("the app dies after both ends got the new key: recovery finishes the rotation", async () => {
    const t = tunnels.hqB3!;
    let reached!: () => void;
    const atCrash = new Promise<void>((r) => (reached = r));
    void runRotation(admin, [t], {
      afterEndUploaded: async (_id, role) => (role === "b" ? (reached(), new Promise<never>(() => {})) : undefined),
    });
    await atCrash;
    const recovery = await restartAndRecover();
    expect(recovery.error).toBeNull();
    expect(JSON.parse(recovery.result!).decisions[0]).toMatchObject({ action: "finish", result: "rotated" });
    await expectRoutersHold(t, 3);
    expect(await keyStatus(t)).toEqual(["v1:retired", "v2:retired", "v3:active"]);
    expect(await lanPingOk("branch3", "hq")).toBe(true);
  });

  it("a tunnel that is not deployed cannot be rotated", async () => {
    const { createTunnel } = await import("@/lib/inventory/host-tunnel");
    const { listCryptoProfiles } = await import("@/lib/db/inventory");
    const modern = (await listCryptoProfiles()).find((p) => p.name === "Modern")!;
    const { tunnelId } = await createTunnel(admin, {
      kind: "net-to-net",
      gatewayAId: gatewayIds.get("branch1")!,
      gatewayBId: gatewayIds.get("branch4")!,
      cryptoProfileId: modern.id,
    });
    const { startPskRotation } = await import("@/lib/rotation/start-rotation");
    await expect(startPskRotation(admin, { tunnelId })).rejects.toThrow(/not deployed/);
    const { outcomes } = await runRotation(admin, [tunnelId]);
    expect(outcomes[0]).toMatchObject({ result: "skipped", error: expect.stringMatching(/not deployed/) });
    expect(await keyStatus(tunnelId)).toEqual(["v1:active"]);
    await (await db()).tunnel.delete({ where: { id: tunnelId } });
  });

  it("rotate all: one job for every tunnel of the 5-site lab, all tunnels up afterwards", async () => {
    const { startPskRotation } = await import("@/lib/rotation/start-rotation");
    const start = await startPskRotation(admin, { all: true });
    expect(start.tunnels).toBe(5);
    const job = await waitForJob(start.jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const result = JSON.parse(job.result!);
    expect(result.rotated).toBe(5);
    // Router-wide work once per router: the SAs verified with one listing per round on
    // each of the 5 routers, the hub's 4 keys loaded by one command; the hub leaves the
    // reauthentications of its strongSwan tunnels to its spokes.
    const steps = job.steps.map((s) => s.name);
    expect(steps.filter((n) => n.startsWith("verify new IKE SAs on ")).sort()).toEqual(
      ["branch1-gw", "branch2-gw", "branch3-gw", "branch4-gw", "hq-gw"].map(
        (g) =>
          `verify new IKE SAs on ${g} (${g === "hq-gw" ? "4 tunnels" : g === "branch2-gw" || g === "branch3-gw" ? "2 tunnels" : "1 tunnel"})`,
      ),
    );
    expect(steps.filter((n) => n.includes("load the new key") && n.includes(" on hq-gw "))).toEqual([
      "list the SAs and load the new keys on hq-gw (4 tunnels)",
    ]);
    const reauths = steps.filter((n) => n.includes("reauthenticate"));
    expect(reauths.map((n) => n.slice(n.lastIndexOf(" on ") + 4)).sort()).toEqual(["branch1-gw", "branch4-gw"]);
    for (const [a, b] of [
      ["branch1", "hq"],
      ["branch2", "hq"],
      ["branch3", "hq"],
      ["branch4", "hq"],
      ["branch3", "branch2"],
    ]) {
      expect(await lanPingOk(a!, b!), `${a} → ${b}`).toBe(true);
    }
    for (const t of Object.values(tunnels)) {
      const active = (await keyStatus(t)).filter((k) => k.endsWith("active"));
      expect(active).toHaveLength(1);
      await expectRoutersHold(t, Number(active[0]!.slice(1, active[0]!.indexOf(":"))));
    }
  });
});

/** A second app instance starting up: the interrupted rotate job gets a rotate-recover job, which runs. */
async function restartAndRecover() {
  const { JobRunner } = await import("@/lib/jobs/runner");
  const { jobDefinitions } = await import("@/lib/jobs/definitions");
  const d = await db();
  const crashed = (await d.job.findFirst({ where: { kind: "rotate", status: "running" }, orderBy: { createdAt: "desc" } }))!;
  const runner = new JobRunner({
    owner: "restarted",
    concurrency: 2,
    pollMs: 200,
    heartbeatMs: 5000,
    staleMs: 30_000,
    singleInstance: true,
    definitions: jobDefinitions(),
  });
  await runner.start();
  try {
    expect((await d.job.findUnique({ where: { id: crashed.id } }))!.status).toBe("interrupted");
    const recover = (await d.job.findFirst({ where: { kind: "rotate-recover", targetId: crashed.id } }))!;
    expect(recover).toBeTruthy();
    return await waitForJob(recover.id);
  } finally {
    await runner.stop();
  }
}
