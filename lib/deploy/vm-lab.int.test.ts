// Issue 12 on real kernel IPsec: the app's own jobs (deploy, health poll, PSK rotation)
// against QEMU micro-VM routers running Debian's kernel with strongSwan or Libreswan 4.10
// (the shared VM lab, e2e/lab/vm/shared-vm-lab.ts; reset between tunnel pairs):
//  - strongSwan ↔ Libreswan and Libreswan ↔ Libreswan net-to-net: deploy and LAN host to
//    LAN host ping, health up, a rotation proven by new SAs on both ends with the traffic
//    interruption measured (a ping every 10 ms), a second deploy of the unchanged tunnel
//    that loses no packet, and a deploy whose second end fails to apply rolled back on
//    both routers with the previous tunnel still carrying traffic;
//  - strongSwan ↔ strongSwan host-to-host in transport mode, ESP counters moving.
// Traffic stays inside the lab's namespaces and VMs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execInRouter, getRouter, pingFromHost, type LabState } from "@/e2e/lab/lab";
import { attachSharedVmLab, resetVmRouters, type SharedVmLab } from "@/e2e/lab/vm/shared-vm-lab";
import { addLabTunnel, runJobToEnd, startAppOnLab, stopLabApp } from "@/e2e/support/lab-jobs";
import { lanPingMeter, startLanPing } from "@/bench/rotation-interruption";
import { runRotation } from "@/lib/rotation/test-support";
import type { HealthPoller } from "@/lib/health/poller";
import type { connectGatewayForJob } from "@/lib/deploy/connect";

let shared: SharedVmLab;
let lab: LabState;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;
let poller: HealthPoller;
const timings: string[] = [];
const interruption: Record<string, { lost: number; sent: number; longestGapMs?: number }> = {};

const db = async () => (await import("@/lib/db/client")).getDb();

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings.push(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

const deploy = (tunnelId: string, connect?: typeof connectGatewayForJob) =>
  connect ? runDeployWith(tunnelId, connect) : runJobToEnd(admin, "deploy", { tunnelId });

/** Runs `work` while the process's job runner is stopped, so it cannot also claim the job row the test drives. */
async function withoutRunner<T>(work: () => Promise<T>): Promise<T> {
  const { getJobRunner } = await import("@/lib/jobs/runtime");
  await getJobRunner().stop();
  try {
    return await work();
  } finally {
    await getJobRunner().start();
  }
}

/** The deploy job's handler on a connection the test wraps (to inject a fault), in a real job row. */
const runDeployWith = (tunnelId: string, connect: typeof connectGatewayForJob) => withoutRunner(() => deployDirectly(tunnelId, connect));

async function deployDirectly(tunnelId: string, connect: typeof connectGatewayForJob) {
  const { insertJob, claimJob, finishJob, getJob } = await import("@/lib/db/jobs");
  const { createJobContext } = await import("@/lib/jobs/context");
  const { deployTunnels } = await import("@/lib/deploy/deploy-tunnels");
  const params = { tunnelId };
  const { id } = await insertJob({
    kind: "deploy",
    targetType: "tunnel",
    targetId: tunnelId,
    params,
    createdById: admin.id,
    createdByName: admin.username,
  });
  expect(await claimJob(id, "vm-lab-test")).toBe(true);
  const ctx = await createJobContext(id, "deploy", params, admin);
  let error: string | null = null;
  try {
    await deployTunnels(ctx, connect);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  await finishJob(id, error ? "failed" : "succeeded", null, error);
  return (await getJob(id))!;
}

/** sha256 of every tunnel file on a router (both platforms' directories). */
async function configSnapshot(router: string) {
  const r = await execInRouter(lab, router, [
    "sh",
    "-c",
    "find /etc/swanctl/conf.d /etc/ipsec.d -maxdepth 1 -type f -exec sha256sum {} + 2>/dev/null | sort -k2",
  ]);
  return r.stdout;
}

/** A job's log, for the message of a failed assertion. */
const logOf = (job: { logs: { gateway: string | null; message: string }[] }) =>
  job.logs.map((l) => `${l.gateway ?? "job"}: ${l.message}`).join("\n");

async function lanPingOk(from: string, to: string, count = 3) {
  return (await pingFromHost(lab, from, getRouter(lab, to).lanHost.ip, { count, waitSec: 2 })).received === count;
}

type KernelSa = { spi: string; src: string; dst: string; mode: string; packets: number };

/** The router's kernel ESP SAs with their packet counters (`nokeys`: no key material printed). */
async function kernelSas(router: string): Promise<KernelSa[]> {
  const out = (await execInRouter(lab, router, ["ip", "-s", "xfrm", "state", "list", "nokeys"])).stdout;
  return out.split(/^(?=src )/m).flatMap((block) => {
    const head = /^src (\S+) dst (\S+)\s+proto esp spi (0x[0-9a-f]+)(?:\(\d+\))? reqid \d+(?:\(0x[0-9a-f]+\))? mode (\w+)/.exec(block);
    if (!head) return [];
    const packets = /lifetime current:\s+\d+\(bytes\), (\d+)\(packets\)/.exec(block);
    return [{ src: head[1]!, dst: head[2]!, spi: head[3]!, mode: head[4]!, packets: Number(packets?.[1] ?? 0) }];
  });
}

/** ESP SAs between two routers' public addresses, as one of them holds them. */
async function sasBetween(router: string, peer: string) {
  const [a, b] = [getRouter(lab, router).publicIp, getRouter(lab, peer).publicIp];
  return (await kernelSas(router)).filter((s) => (s.src === a && s.dst === b) || (s.src === b && s.dst === a));
}

async function healthOf(tunnelId: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const j = (await poller.pollNow([tunnelId])).judgements.get(tunnelId)!;
    if (j.state === "up" || Date.now() > until) return j;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function useProfile(tunnelId: string, name: string) {
  const { listCryptoProfiles } = await import("@/lib/db/inventory");
  const profile = (await listCryptoProfiles()).find((p) => p.name === name)!;
  await (await db()).tunnel.update({ where: { id: tunnelId }, data: { cryptoProfileId: profile.id } });
}

beforeAll(async () => {
  shared = await attachSharedVmLab();
  lab = shared.lab;
  ({ admin, gatewayIds } = await startAppOnLab(lab));
  const { runInTransaction } = await import("@/lib/db/client");
  const { createCryptoProfile } = await import("@/lib/db/crypto-profiles");
  const { MODERN_PROFILE } = await import("@/lib/platforms/crypto-profiles");
  // A second profile both platforms run, to change a deployed tunnel's configuration.
  await runInTransaction((tx) =>
    createCryptoProfile(tx, {
      ...MODERN_PROFILE,
      name: "Modern AES-128",
      ike: { ...MODERN_PROFILE.ike, encryption: "aes128" },
      esp: { ...MODERN_PROFILE.esp, encryption: ["aes128"] },
    }),
  );
  const { HealthPoller } = await import("@/lib/health/poller");
  poller = new HealthPoller({ intervalMs: 60_000, maxConcurrent: 4 });
}, 400_000);

afterAll(async () => {
  await poller?.stop();
  await stopLabApp();
  console.log(`\nVM lab timings: ${timings.join("; ")}`);
  console.log(`PSK rotation, LAN ping every 10 ms, packets lost: ${JSON.stringify(interruption)}`);
  await shared?.release();
}, 120_000);

/**
 * One net-to-net tunnel between routers `a` and `b` (a is the tunnel's first end: on a
 * tie it is the less busy one, applied second, and it initiates).
 */
function netToNet(title: string, a: string, b: string) {
  describe(title, () => {
    let tunnelId: string;

    beforeAll(async () => {
      await timed(`${title}: reset routers`, () => resetVmRouters(lab));
      tunnelId = await addLabTunnel(admin, gatewayIds, { kind: "net-to-net", a, b, profile: "Modern" });
    });

    it("deploys through the job: both ends verified, LAN host to LAN host ping passes", async () => {
      expect(await lanPingOk(b, a, 2)).toBe(false);
      const job = await timed(`${title}: deploy`, () => deploy(tunnelId));
      expect(job.error, logOf(job)).toBeNull();
      expect(job.status).toBe("succeeded");
      expect(job.steps.every((s) => s.status === "ok")).toBe(true);
      expect(await lanPingOk(b, a)).toBe(true);
      expect(await lanPingOk(a, b)).toBe(true);
    });

    it("health says up on both ends, with traffic counted both ways", async () => {
      await poller.pollNow([tunnelId]); // the first round has no previous counters
      const j = await timed(`${title}: health`, () => healthOf(tunnelId));
      expect(j.reason).toMatch(/^Up on both ends/);
      expect(j.state).toBe("up");
      expect(j.lossPct).toBe(0);
      expect(j.packetsIn).toBeGreaterThan(0);
      expect(j.packetsOut).toBeGreaterThan(0);
      expect(j.detail.ends).toHaveLength(2);
    });

    it("rotates the PSK: a new SA proven on both ends, traffic back, packets lost measured", async () => {
      const before = { a: await sasBetween(a, b), b: await sasBetween(b, a) };
      expect(before.a.length).toBeGreaterThan(0);
      const { jobId, outcomes } = await timed(`${title}: rotation`, () =>
        withoutRunner(() => runRotation(admin, [tunnelId], { measureInterruption: lanPingMeter(lab, 10) })),
      );
      const o = outcomes[0]!;
      const { getJob } = await import("@/lib/db/jobs");
      const job = (await getJob(jobId))!;
      expect(o.error, logOf(job)).toBeNull();
      expect(logOf(job)).toContain("1 of 1 tunnel(s) in this batch rotated");
      expect(o).toMatchObject({ result: "rotated", fromVersion: 1, toVersion: 2 });
      // The engine's proof: a new IKE SA with an installed CHILD SA on each end.
      expect(o.proofs.map((p) => p.slice(0, p.indexOf(":"))).sort()).toEqual([`${a}-gw`, `${b}-gw`].sort());
      // The kernels agree: ESP SAs that did not exist before the rotation, on both routers.
      for (const [router, peer, old] of [
        [a, b, before.a],
        [b, a, before.b],
      ] as const) {
        const now = await sasBetween(router, peer);
        expect(now.filter((s) => !old.some((o) => o.spi === s.spi)).length, `${router}: new ESP SAs`).toBeGreaterThanOrEqual(2);
      }
      expect(await lanPingOk(b, a)).toBe(true);
      expect((await healthOf(tunnelId)).state).toBe("up");
      if (o.interruption === "not measured") throw new Error("not measured");
      expect(o.interruption.sent).toBeGreaterThan(20);
      interruption[title] = { lost: o.interruption.lost, sent: o.interruption.sent, longestGapMs: o.interruption.longestGapMs };
      console.log(
        `${title} rotation: ${o.interruption.lost} of ${o.interruption.sent} packets lost (ping every 10 ms, longest gap ${o.interruption.longestGapMs} ms)`,
      );
    });

    it("deploying it again unchanged leaves it running: not applied again, no packet lost", async () => {
      const meter = await startLanPing(lab, b, getRouter(lab, a).lanHost.ip, 10);
      const job = await timed(`${title}: deploy again, unchanged`, () => deploy(tunnelId));
      const i = await meter.stop();
      expect(job.error, logOf(job)).toBeNull();
      expect(logOf(job)).toContain("files unchanged and the tunnel is up on both ends: left running");
      expect(logOf(job)).not.toMatch(/\$ (ipsec auto --add|swanctl --load-all)/);
      expect(i.sent).toBeGreaterThan(20);
      expect(i.lost, `lost ${i.lost} of ${i.sent}, longest gap ${i.longestGapMs} ms`).toBe(0);
    });

    it("a deploy whose second end fails to apply: both routers back on their previous files, the previous tunnel still passes traffic", async () => {
      const before = { a: await configSnapshot(a), b: await configSnapshot(b) };
      const { connectGatewayForJob } = await import("@/lib/deploy/connect");
      const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
      await useProfile(tunnelId, "Modern AES-128");
      // End a is applied second. Its connection file arrives on the router damaged (an option
      // its daemon refuses, as from an older release), so its load fails for real.
      const aEnd = (await loadTunnelEnds(tunnelId))!.ends.find((e) => e.role === "a")!;
      const damage =
        aEnd.platform === "libreswan"
          ? String.raw`s/^\tauthby=secret$/&\n\tno-such-keyword=yes/`
          : String.raw`s/^    version = .*/&\n    no_such_option = yes/`;
      let damaged = "";
      const connect: typeof connectGatewayForJob = async (gatewayId, c) => {
        const session = await connectGatewayForJob(gatewayId, c);
        if (gatewayId !== gatewayIds.get(a)) return session;
        const upload = session.uploadFile.bind(session);
        session.uploadFile = async (req) => {
          await upload(req);
          if (
            !damaged &&
            !req.path.startsWith("/var/lib/gatewarden") &&
            req.path.endsWith(".conf") &&
            !req.content.includes(aEnd.end.psk)
          ) {
            damaged = req.path;
            expect((await execInRouter(lab, a, ["sed", "-i", damage, req.path])).code).toBe(0);
            expect((await execInRouter(lab, a, ["cat", req.path])).stdout).toMatch(/no.such/);
          }
        };
        return session;
      };
      const job = await timed(`${title}: failed deploy + rollback`, () => runDeployWith(tunnelId, connect));
      await useProfile(tunnelId, "Modern");
      expect(damaged).not.toBe("");
      expect(job.status).toBe("failed");
      expect(job.error, logOf(job)).toMatch(new RegExp(`^${a}-gw: \`.*\` failed with exit code \\d+`));
      const log = job.logs.map((l) => l.message).join("\n");
      expect(log).toContain("Rolling back that tunnel on both gateways");
      expect(log, logOf(job)).toContain(": the previous tunnel is up again.");
      expect(job.steps.filter((s) => s.name.startsWith("roll back")).map((s) => s.status)).toEqual(["ok", "ok"]);
      expect({ a: await configSnapshot(a), b: await configSnapshot(b) }).toEqual(before);
      expect(await lanPingOk(b, a)).toBe(true);
      expect((await (await db()).tunnel.findUniqueOrThrow({ where: { id: tunnelId } })).deployState).toBe("deployed");
    });
  });
}

describe("issue 12 on VM routers (kernel IPsec)", () => {
  netToNet("strongSwan ↔ Libreswan", "hq", "branch1");
  netToNet("Libreswan ↔ Libreswan", "branch1", "branch2");

  describe("strongSwan ↔ strongSwan host-to-host", () => {
    beforeAll(() => timed("host-to-host: reset routers", () => resetVmRouters(lab)));

    it("runs in transport mode between the public addresses, and their traffic crosses ESP", async () => {
      const tunnelId = await addLabTunnel(admin, gatewayIds, { kind: "host-to-host", a: "hq", b: "branch3", profile: "Modern" });
      const job = await timed("host-to-host: deploy", () => deploy(tunnelId));
      expect(job.error, logOf(job)).toBeNull();
      expect(job.status).toBe("succeeded");
      const xfrm = await execInRouter(lab, "hq", ["ip", "xfrm", "state", "list", "nokeys"]);
      expect(xfrm.stdout).toMatch(/proto esp spi 0x[0-9a-f]+ reqid \d+ mode transport/);
      expect(xfrm.stdout).not.toMatch(/mode tunnel/);
      const before = await sasBetween("hq", "branch3");
      expect(before.map((s) => s.mode)).toEqual(["transport", "transport"]);
      const ping = await execInRouter(lab, "hq", ["ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", getRouter(lab, "branch3").publicIp]);
      expect(ping.stdout).toMatch(/5 packets transmitted, 5 received/);
      const after = await sasBetween("hq", "branch3");
      const hq = getRouter(lab, "hq").publicIp;
      for (const dir of ["out", "in"] as const) {
        const pick = (l: KernelSa[]) => l.find((s) => (dir === "out" ? s.src === hq : s.dst === hq))!;
        expect(pick(after).spi).toBe(pick(before).spi);
        expect(pick(after).packets - pick(before).packets, `ESP packets ${dir}`).toBeGreaterThanOrEqual(5);
      }
    });
  });
});
