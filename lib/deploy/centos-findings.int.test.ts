// Issue 11's findings on a CentOS lab that behaves like CentOS (e2e/lab/centos-racoon: ifup
// and ifdown as initscripts writes them, an emulated racoon that refuses what racoon's
// grammar refuses, setkey -D for the kernel's SAs, no swanctl): three CentOS routers, hub
// hq and two branches, driven through the app's jobs. Each test names the finding it pins.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execInRouter, pingFromHost, type LabState } from "@/e2e/lab/lab";
import { addLabTunnel, runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";
import { runRotation } from "@/lib/rotation/test-support";
import { parseSetkeyDump } from "@/lib/platforms/centos-racoon/parse-setkey-dump";
import { cryptoProfileSchema, MODERN_IKEV1_PROFILE } from "@/lib/platforms/crypto-profiles";

const LAB = "h-centos-findings";
let lab: LabState;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;
const tunnels: Record<string, string> = {};

const ip = (name: string) => lab.routers.find((r) => r.name === name)!.publicIp;
const sh = (router: string, script: string) => execInRouter(lab, router, ["bash", "-c", script]);
const lanPings = async (from: string, to: string) =>
  (await pingFromHost(lab, from, lab.routers.find((r) => r.name === to)!.lanHost.ip, { count: 3 })).received;

/** The newest ESP SA from `peer` on `router`, as `setkey -D` lists it (its SPI changes with every negotiation). */
async function newestInboundSpi(router: string, peer: string): Promise<string | undefined> {
  const sas = parseSetkeyDump((await execInRouter(lab, router, ["setkey", "-D"])).stdout);
  return sas
    .filter((s) => s.source === ip(peer) && s.destination === ip(router) && s.state === "mature")
    .sort((a, b) => a.ageSeconds! - b.ageSeconds!)[0]?.spi;
}

beforeAll(async () => {
  ({ lab, admin, gatewayIds } = await startLabApp({ name: LAB, sites: 3, platforms: ["centos-racoon"] }));
}, 120_000);

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("CentOS as CentOS runs it (issue 11)", () => {
  it("1, 4, 7, 3: the wizard's default CentOS profile on a hub's first racoon start: racoon reads every file, starts in the profile's mode, both tunnels carry traffic", async () => {
    // The default CentOS profile offers no IPComp: racoon still needs compression_algorithm (1).
    expect(MODERN_IKEV1_PROFILE.esp.compression).toBeNull();
    expect(MODERN_IKEV1_PROFILE.exchangeModes[0]).toBe("main");
    tunnels.b1 = await addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch1", profile: "Modern IKEv1 (racoon)" });
    tunnels.b2 = await addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch2", profile: "Modern IKEv1 (racoon)" });
    // One fleet job: hq's racoon starts for the first time with both tunnels' includes (4).
    const job = await runJobToEnd(admin, "deploy", { tunnelIds: [tunnels.b1, tunnels.b2] }, tunnels.b1);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const log = (await sh("hq", "cat /run/racoon.log")).stdout;
    expect(log).toContain("configuration read (start)");
    // No grammar error of any kind: no missing compression (1), no include matching no file (4), no `;` line (7).
    expect(log).not.toMatch(/ERROR|fatal parse failure|reload failed/);
    // ifup kept the pushed <DST>.conf (touch -c): the profile's mode, not ifup's `aggressive, main` (3).
    expect((await sh("hq", `cat /etc/racoon/${ip("branch1")}.conf`)).stdout).toMatch(/^\texchange_mode main;$/m);
    const ike = (await sh("hq", "cat /run/charon.log")).stdout + (await sh("branch1", "cat /run/charon.log")).stdout;
    expect(ike).toMatch(/initiating Main Mode IKE_SA/);
    expect(ike).not.toMatch(/initiating Aggressive Mode IKE_SA/);
    expect(await lanPings("branch1", "hq")).toBe(3);
    expect(await lanPings("branch2", "hq")).toBe(3);
  });

  it("5: a CentOS host-to-host tunnel passes Gatewarden's own checks (transport-mode SAs, no route needed)", async () => {
    tunnels.h2h = await addLabTunnel(admin, gatewayIds, {
      kind: "host-to-host",
      a: "branch1",
      b: "branch2",
      profile: "Modern IKEv1 (racoon)",
    });
    const job = await runJobToEnd(admin, "deploy", { tunnelId: tunnels.h2h });
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const sad = (await execInRouter(lab, "branch1", ["setkey", "-D"])).stdout;
    const pair = parseSetkeyDump(sad).filter(
      (s) => [s.source, s.destination].sort().join() === [ip("branch1"), ip("branch2")].sort().join(),
    );
    expect(pair.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pair.map((s) => s.mode))).toEqual(new Set(["transport"]));
    const logs = job.logs.map((l) => l.message).join("\n");
    expect(logs).toMatch(/ESP security associations installed in the kernel \(transport mode, in and out\)/);
  });

  it("6: a CentOS key switch is proven by new SPIs in the kernel's SAD and traffic, never by ifup's exit code", async () => {
    const before = await newestInboundSpi("branch1", "hq");
    expect(before).toBeDefined();
    const { outcomes } = await runRotation(admin, [tunnels.b1!]);
    const o = outcomes[0]!;
    expect(o.error).toBeNull();
    expect(o.result).toBe("rotated");
    // The proof is the kernel's new ESP pair, not "the router cannot list SAs" (ifup exit 0 / a route).
    expect(o.proofs.join("\n")).toMatch(/new IKE SA/);
    expect(o.proofs.join("\n")).not.toMatch(/cannot list SAs/);
    const after = await newestInboundSpi("branch1", "hq");
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(await lanPings("branch1", "hq")).toBe(3);
  });

  it("8: teardown leaves no key on either router: keys file, psk.txt line and <DST>.conf all gone", async () => {
    const job = await runJobToEnd(admin, "teardown", { tunnelId: tunnels.b2 });
    expect(job.error).toBeNull();
    const hq = await sh("hq", `cat /etc/racoon/psk.txt; ls /etc/racoon /etc/sysconfig/network-scripts`);
    expect(hq.stdout).not.toContain(ip("branch2"));
    // The other tunnel's key stays.
    expect(hq.stdout).toContain(`${ip("branch1")}  `);
    const b2 = await sh("branch2", `cat /etc/racoon/psk.txt; ls /etc/racoon`);
    expect(b2.stdout).not.toContain(`${ip("hq")}  `);
    expect(b2.stdout).not.toContain(`${ip("hq")}.conf`);
    expect(await lanPings("branch2", "hq")).toBe(0);
  });

  it("2, 9: what racoon cannot run is refused when the tunnel is made (DH 19, a phase-1 lifetime ifup never writes); AH stays off in the SPD", async () => {
    const { runInTransaction } = await import("@/lib/db/client");
    const { createCryptoProfile } = await import("@/lib/db/crypto-profiles");
    const variants = [
      cryptoProfileSchema.parse({ ...MODERN_IKEV1_PROFILE, name: "IKEv1 ECP 256", ike: { ...MODERN_IKEV1_PROFILE.ike, dhGroup: 19 } }),
      cryptoProfileSchema.parse({ ...MODERN_IKEV1_PROFILE, name: "IKEv1 1 h phase 1", ikeLifetimeSeconds: 3600 }),
    ];
    for (const p of variants) await runInTransaction((tx) => createCryptoProfile(tx, p));
    await expect(addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch2", profile: "IKEv1 ECP 256" })).rejects.toMatchObject({
      fieldErrors: { cryptoProfileId: expect.stringMatching(/CentOS \/ racoon, which cannot run “IKEv1 ECP 256”: .*19/) },
    });
    await expect(addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch2", profile: "IKEv1 1 h phase 1" })).rejects.toMatchObject({
      fieldErrors: { cryptoProfileId: expect.stringMatching(/cannot run “IKEv1 1 h phase 1”: .*phase-1 lifetime/) },
    });
    // ESP alone in the policies ifup installed (AH_PROTO=none), so a Gatewarden end speaks ESP only.
    const spd = (await execInRouter(lab, "hq", ["setkey", "-DP"])).stdout;
    expect(spd).toContain("\tesp/tunnel/");
    expect(spd).not.toContain("\tah/");
  });
});
