// What happens when a deploy cannot finish: each failure ends with a clear message in
// the job, the routers' files as they were, and the tunnels that worked before still
// carrying traffic. Real lab routers; faults are made the way they happen in the
// field (wrong port, changed host key, wrong credential, a peer that does not answer,
// an SSH connection cut mid-upload).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";
import { execInRouter, type LabState } from "@/e2e/lab/lab";
import { addLabTunnel, connectionNameOf, deployJobOutsideRunner, runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { configSnapshot as labConfigSnapshot, lanPingOk as labLanPingOk } from "@/lib/deploy/test-support/lab-checks";

const LAB = "gwtest-deployfail";
let lab: LabState;
const configSnapshot = (router: string) => labConfigSnapshot(lab, router);
const lanPingOk = (from: string, to: string) => labLanPingOk(lab, from, to);
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;

const db = async () => (await import("@/lib/db/client")).getDb();

const addTunnel = (a: string, b: string, profile: string) => addLabTunnel(admin, gatewayIds, { a, b, profile });
const deploy = (tunnelId: string) => runJobToEnd(admin, "deploy", { tunnelId });

beforeAll(async () => {
  ({ lab, admin, gatewayIds } = await startLabApp({
    name: LAB,
    sites: 4,
    platforms: ["strongswan", "strongswan", "centos-racoon", "centos-racoon"],
  }));
  // The tunnels that work before every fault below.
  expect((await deploy(await addTunnel("hq", "branch1", "Modern"))).status).toBe("succeeded");
  expect((await deploy(await addTunnel("branch2", "branch3", "Modern IKEv1 (racoon)"))).status).toBe("succeeded");
});

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("a deploy that fails leaves the routers as they were", () => {
  it("a router holding a key Gatewarden does not know (hand-edited): the dry run says the secret file differs and prints no key", async () => {
    const t = (await (
      await db()
    ).tunnel.findFirst({
      where: { ends: { some: { gatewayId: gatewayIds.get("branch1")! } }, AND: { ends: { some: { gatewayId: gatewayIds.get("hq")! } } } },
    }))!.id;
    const file = `/etc/swanctl/conf.d/${await connectionNameOf(t)}.secrets.conf`;
    const original = (await execInRouter(lab, "hq", ["cat", file])).stdout;
    const foreign = "HandEditedForeignKey0123456789abcdefXYZ";
    try {
      await execInRouter(lab, "hq", ["sh", "-c", `umask 077; cat > ${file}`], {
        input: original.replace(/secret = .*/, `secret = "${foreign}"`),
      });
      const job = await runJobToEnd(admin, "plan", { tunnelId: t });
      expect(job.status).toBe("succeeded");
      const log = job.logs.map((l) => l.message).join("\n");
      expect(log).toContain(`${file}: secret file differs (content withheld`);
      expect(log).not.toContain(foreign);
      expect(JSON.stringify(job)).not.toContain(foreign);
    } finally {
      await execInRouter(lab, "hq", ["sh", "-c", `umask 077; cat > ${file}`], { input: original });
    }
  });

  it("gateway unreachable (nothing listens on its SSH port)", async () => {
    const before = await configSnapshot("hq");
    const t = await addTunnel("hq", "branch2", "Modern IKEv1 (racoon)");
    await (await db()).gateway.update({ where: { id: gatewayIds.get("branch2")! }, data: { sshPort: 2222 } });
    const job = await deploy(t);
    await (await db()).gateway.update({ where: { id: gatewayIds.get("branch2")! }, data: { sshPort: 22 } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/Could not reach the gateway at .* port 2222/);
    expect(await configSnapshot("hq")).toBe(before);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    const gw = await (await db()).gateway.findUnique({ where: { id: gatewayIds.get("branch2")! } });
    expect(gw?.reachability).toBe("unreachable");
  });

  it("host key changed: refused before authenticating, both fingerprints kept", async () => {
    const hq = lab.routers[0]!;
    const wrong = lab.routers[1]!.hostKeyFingerprint;
    const t = (await (
      await db()
    ).tunnel.findFirst({
      where: { ends: { some: { gatewayId: gatewayIds.get("branch2")! } }, AND: { ends: { some: { gatewayId: gatewayIds.get("hq")! } } } },
    }))!.id;
    await (await db()).gateway.update({ where: { id: gatewayIds.get("hq")! }, data: { hostKeyFingerprint: wrong } });
    const job = await deploy(t);
    await (
      await db()
    ).gateway.update({ where: { id: gatewayIds.get("hq")! }, data: { hostKeyFingerprint: hq.hostKeyFingerprint, hostKeySeen: null } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/refused before authenticating/i);
    expect(job.error).toContain(hq.hostKeyFingerprint);
    expect(job.error).toContain(wrong);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
  });

  it("authentication refused (the stored key is not authorized)", async () => {
    const { encryptSecret } = await import("@/lib/secrets/envelope");
    const { getKeyring, secretPurpose } = await import("@/lib/config/keyring");
    const gw = (await (await db()).gateway.findUnique({ where: { id: gatewayIds.get("branch2")! } }))!;
    const stranger = generateEd25519KeyPair().privateKey;
    await (
      await db()
    ).gateway.update({
      where: { id: gw.id },
      data: { sshSecretEnc: encryptSecret(stranger, getKeyring(), secretPurpose.sshCredential(gw.id)) },
    });
    const t = (await (
      await db()
    ).tunnel.findFirst({ where: { ends: { some: { gatewayId: gw.id } }, AND: { ends: { some: { gatewayId: gatewayIds.get("hq")! } } } } }))!
      .id;
    const before = await configSnapshot("branch2");
    const job = await deploy(t);
    await (await db()).gateway.update({ where: { id: gw.id }, data: { sshSecretEnc: gw.sshSecretEnc } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/refused|authenticat/i);
    expect(await configSnapshot("branch2")).toBe(before);
    expect(await lanPingOk("branch3", "branch2")).toBe(true);
  });

  it("the peer never answers: ifup exits 0 as the real one does, no SA comes, both ends rolled back, older tunnels untouched", async () => {
    const branch2Before = await configSnapshot("branch2");
    const branch1Before = await configSnapshot("branch1");
    const t = await addTunnel("branch2", "branch1", "Modern IKEv1 (racoon)");
    const branch2Ip = lab.routers[2]!.publicIp;
    // branch1 cannot answer branch2 any more: its replies go nowhere.
    await execInRouter(lab, "branch1", ["ip", "route", "add", "blackhole", `${branch2Ip}/32`]);
    const job = await deploy(t);
    await execInRouter(lab, "branch1", ["ip", "route", "del", "blackhole", `${branch2Ip}/32`]);
    expect(job.status).toBe("failed");
    // ifup's exit code proves nothing (racoon's start status): the kernel's SAD, polled, does.
    expect(job.error).toMatch(/did not come up within 30 s/);
    const log = job.logs.map((l) => l.message).join("\n");
    expect(log).toContain("Rolling back that tunnel on both gateways");
    expect(job.steps.filter((s) => s.name.startsWith("roll back")).map((s) => s.status)).toEqual(["ok", "ok"]);
    expect(await configSnapshot("branch2")).toBe(branch2Before);
    expect(await configSnapshot("branch1")).toBe(branch1Before);
    expect(await lanPingOk("branch3", "branch2")).toBe(true);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
  });

  it("an IKE SA lost right after the bring-up: the initiating end tries once more and the tunnel is deployed", async () => {
    const { getJob } = await import("@/lib/db/jobs");
    const { deployTunnels } = await import("@/lib/deploy/deploy-tunnels");
    const { connectGatewayForJob } = await import("@/lib/deploy/connect");
    const t = (await (
      await db()
    ).tunnel.findFirst({
      where: { ends: { some: { gatewayId: gatewayIds.get("hq")! } }, AND: { ends: { some: { gatewayId: gatewayIds.get("branch1")! } } } },
    }))!.id;
    const { id, ctx } = await deployJobOutsideRunner(admin, { tunnelId: t });
    let lost = false;
    // The initiating end (the spoke) starts the tunnel as it loads it; once the SA is up it is torn down.
    const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
    const conn = await connectionNameOf(t);
    const starter = (await loadTunnelEnds(t))!.ends.find((e) => e.end.initiates)!;
    const starterRouter = starter.gatewayName.replace(/-gw$/, "");
    const connect: typeof connectGatewayForJob = async (gatewayId, c) => {
      const session = await connectGatewayForJob(gatewayId, c);
      if (gatewayId !== starter.gatewayId) return session;
      const exec = session.exec.bind(session);
      session.exec = async (argv, opts) => {
        const r = await exec(argv, opts);
        if (!lost && argv.includes("--load-all")) {
          lost = true;
          for (let i = 0; i < 50; i++) {
            const sas = await execInRouter(lab, starterRouter, ["swanctl", "--list-sas", "--ike", conn]);
            if (/INSTALLED/.test(sas.stdout)) break;
            await new Promise((res) => setTimeout(res, 100));
          }
          await execInRouter(lab, starterRouter, ["swanctl", "--terminate", "--ike", conn, "--force", "--timeout", "3"]);
        }
        return r;
      };
      return session;
    };
    await deployTunnels(ctx, connect);
    expect(lost).toBe(true);
    const logs = (await getJob(id))!.logs.map((l) => `${l.gateway}: ${l.message}`);
    expect(logs.filter((l) => /initiating it again/.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^${starter.gatewayName}: ipsec\\d+ → .* is not up after 8 s: initiating it again$`)),
    ]);
    expect(await lanPingOk("branch1", "hq")).toBe(true);
    await (await import("@/lib/jobs/runtime")).getJobRunner().start();
  });

  it("SSH connection dropped during upload: reconnects, restores, says so", async () => {
    const { getJob } = await import("@/lib/db/jobs");
    const { deployTunnels } = await import("@/lib/deploy/deploy-tunnels");
    const { connectGatewayForJob } = await import("@/lib/deploy/connect");
    // This test drives the handler itself, to cut the connection at a chosen upload.
    const t = (await (
      await db()
    ).tunnel.findFirst({
      where: {
        ends: { some: { gatewayId: gatewayIds.get("branch1")! } },
        AND: { ends: { some: { gatewayId: gatewayIds.get("branch2")! } } },
      },
    }))!.id;
    const before = await configSnapshot("branch2");
    const { id, ctx } = await deployJobOutsideRunner(admin, { tunnelId: t });
    let cut = false;
    // The real connection; on branch2's second upload, the router's sshd session is killed.
    const connect: typeof connectGatewayForJob = async (gatewayId, c) => {
      const session = await connectGatewayForJob(gatewayId, c);
      if (gatewayId !== gatewayIds.get("branch2") || cut) return session;
      let uploads = 0;
      const upload = session.uploadFile.bind(session);
      session.uploadFile = async (req) => {
        // Config files only: backups, the commit-confirm script and its state go to /var/lib/gatewarden first.
        if (!req.path.startsWith("/var/lib/gatewarden") && ++uploads === 2) {
          cut = true;
          // Only this router's sshd sessions: lab routers share the machine's PID namespace.
          await execInRouter(lab, "branch2", ["sh", "-c", 'pkill -KILL -P "$(cat /run/sshd.pid)"']);
        }
        return upload(req);
      };
      return session;
    };
    await expect(deployTunnels(ctx, connect)).rejects.toThrow(/connection|lost|closed/i);
    const job = (await getJob(id))!;
    expect(cut).toBe(true);
    expect(job.steps.find((s) => s.name === "upload to branch2-gw")?.status).toBe("failed");
    expect(job.steps.filter((s) => s.name.startsWith("roll back")).every((s) => s.status === "ok")).toBe(true);
    expect(await configSnapshot("branch2")).toBe(before);
    expect(await lanPingOk("branch3", "branch2")).toBe(true);
  });
});
