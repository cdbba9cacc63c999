// Self-test of the router lab (runs as root, sequentially): real namespaces, real
// sshd and charon. Configs are hand-placed here on purpose — this must not depend
// on the app's renderers. Traffic stays inside the namespaces the test creates.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./exec";
import {
  execInRouter,
  getRouter,
  labStatus,
  pingFromHost,
  readLabState,
  sshArgv,
  startCharon,
  startLab,
  stopCharon,
  stopLab,
  type LabState,
} from "./lab";

const LAB = "gwtest-lab";
let lab: LabState;

const ping = (site: string, dst: string) => pingFromHost(lab, site, dst, { count: 3, intervalMs: 100, waitSec: 1 });
const sh = (router: string, script: string, input?: string) =>
  execInRouter(lab, router, ["bash", "-c", script], input === undefined ? {} : { input });

function ifcfg(opts: { local: string; peer: string; extra?: string }): string {
  const l = getRouter(lab, opts.local);
  const p = getRouter(lab, opts.peer);
  return (
    [
      "TYPE=IPSEC",
      "ONBOOT=yes",
      "IKE_METHOD=PSK",
      `SRCGW=${l.lanAddress}`,
      `DSTGW=${p.lanAddress}`,
      `SRCNET=${l.lanCidr}`,
      `DSTNET=${p.lanCidr}`,
      `DST=${p.publicIp}`,
      "AH_PROTO=none",
      opts.extra ?? "",
    ].join("\n") + "\n"
  );
}

async function placeCentos(router: string, file: string, content: string, mode = "644") {
  const r = await sh(
    router,
    `cat > /etc/sysconfig/network-scripts/${file} && chmod ${mode} /etc/sysconfig/network-scripts/${file}`,
    content,
  );
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  lab = await startLab({ name: LAB, sites: 4, platforms: ["strongswan", "strongswan", "centos-racoon", "centos-racoon"] });
});

afterAll(async () => {
  if (readLabState(LAB)) await stopLab(LAB);
});

describe("router lab", () => {
  it("routers answer real SSH with the management key and a pinned host key", async () => {
    const r = await run(sshArgv(lab, "hq", ["ip", "route", "list"]), { timeoutMs: 15_000 });
    expect(r.stderr).not.toMatch(/WARNING|Permanently added/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`default via ${lab.wan.bridgeAddress} dev wan0`);
    const hq = getRouter(lab, "hq");
    expect(readFileSync(lab.knownHostsPath, "utf8")).toContain(hq.hostPublicKey.split(" ")[1]);
    expect(hq.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    for (const s of labStatus(lab)) expect(s.sshd && s.charon).toBeTruthy();
  });

  it("a strongSwan pair carries LAN-to-LAN pings only while its tunnel is up", async () => {
    const hq = getRouter(lab, "hq");
    const b1 = getRouter(lab, "branch1");
    expect((await ping("hq", b1.lanHost.ip)).received).toBe(0);
    for (const [l, p] of [
      [hq, b1],
      [b1, hq],
    ] as const) {
      const conf = `connections { lab { version = 2
  local_addrs = ${l.publicIp}
  remote_addrs = ${p.publicIp}
  proposals = aes256-sha256-modp2048
  local { auth = psk
    id = ${l.publicIp} }
  remote { auth = psk
    id = ${p.publicIp} }
  children { lab { local_ts = ${l.lanCidr}
    remote_ts = ${p.lanCidr}
    esp_proposals = aes256-sha256 } } } }
secrets { ike-lab { id = ${p.publicIp}
  secret = "lab-test-psk-1" } }
`;
      const r = await sh(l.name, "umask 077 && cat > /etc/swanctl/conf.d/lab.conf && swanctl --load-all >/dev/null", conf);
      expect(r.code, r.stderr).toBe(0);
    }
    const up = await execInRouter(lab, "hq", ["swanctl", "--initiate", "--child", "lab", "--timeout", "10"]);
    expect(up.code, up.stdout).toBe(0);
    expect(await ping("hq", b1.lanHost.ip)).toEqual({ sent: 3, received: 3 });
    const table220 = await execInRouter(lab, "hq", ["ip", "route", "list", "table", "220"]);
    expect(table220.stdout).toContain(`${b1.lanCidr} dev ipsec0`);
    const down = await execInRouter(lab, "hq", ["swanctl", "--terminate", "--ike", "lab", "--timeout", "5"]);
    expect(down.code).toBe(0);
    expect((await ping("hq", b1.lanHost.ip)).received).toBe(0);
  });

  it("a centos-racoon pair: ifup writes the racoon files, adds the route, carries pings; ifdown undoes it", async () => {
    const b2 = getRouter(lab, "branch2");
    const b3 = getRouter(lab, "branch3");
    const extra = 'IKE_EXCHANGE_MODE=main\nIKE_ENC="aes 256"\nIKE_AUTH=sha256\nIKE_DHGROUP=14';
    await placeCentos("branch2", "ifcfg-ipsec1", ifcfg({ local: "branch2", peer: "branch3", extra }));
    await placeCentos("branch3", "ifcfg-ipsec1", ifcfg({ local: "branch3", peer: "branch2", extra }));
    await placeCentos("branch2", "keys-ipsec1", "IKE_PSK=r3dh4t11nux\n", "600");
    await placeCentos("branch3", "keys-ipsec1", "IKE_PSK=r3dh4t11nux\n", "600");
    expect((await ping("branch2", b3.lanHost.ip)).received).toBe(0);

    // The first end cannot reach a configured peer yet: exit 2, files stay installed.
    const first = await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec1"]);
    expect(first.code, first.stderr).toBe(2);
    const second = await execInRouter(lab, "branch3", ["/sbin/ifup", "ipsec1"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("IKEv1 main mode aes256-sha256-modp2048");

    const files = await sh(
      "branch3",
      `stat -c %a /etc/racoon/psk.txt; cat /etc/racoon/psk.txt /etc/racoon/${b2.publicIp}.conf; grep include /etc/racoon/racoon.conf`,
    );
    expect(files.stdout).toContain(`600\n${b2.publicIp}  r3dh4t11nux`);
    expect(files.stdout).toContain(`remote ${b2.publicIp}`);
    expect(files.stdout).toContain("exchange_mode main;");
    expect(files.stdout).toContain("encryption_algorithm aes 256;");
    expect(files.stdout).toContain(`include "/etc/racoon/${b2.publicIp}.conf";`);
    const routes = await execInRouter(lab, "branch3", ["ip", "route", "list"]);
    expect(routes.stdout).toContain(`${b2.lanCidr} via ${b3.lanAddress} dev lan0 src ${b3.lanAddress}`);
    expect(await ping("branch2", b3.lanHost.ip)).toEqual({ sent: 3, received: 3 });

    for (const r of ["branch3", "branch2"]) {
      const down = await execInRouter(lab, r, ["/sbin/ifdown", "ipsec1"]);
      expect(down.code, down.stderr).toBe(0);
    }
    const after = await execInRouter(lab, "branch3", ["ip", "route", "list"]);
    expect(after.stdout).not.toContain(b2.lanCidr);
    const left = await sh(
      "branch3",
      "ls /etc/racoon /etc/swanctl/conf.d; cat /etc/racoon/psk.txt; grep -c ^include /etc/racoon/racoon.conf",
    );
    expect(left.stdout).not.toContain(b2.publicIp);
    expect(left.stdout.trim().endsWith("0")).toBe(true);
    expect((await ping("branch2", b3.lanHost.ip)).received).toBe(0);
  });

  it("ifup refuses a peer with a different PSK (AUTH_FAILED, no tunnel)", async () => {
    const b3 = getRouter(lab, "branch3");
    await placeCentos("branch2", "ifcfg-ipsec2", ifcfg({ local: "branch2", peer: "branch3" }));
    await placeCentos("branch3", "ifcfg-ipsec2", ifcfg({ local: "branch3", peer: "branch2" }));
    await placeCentos("branch2", "keys-ipsec2", "IKE_PSK=the-right-key\n", "600");
    await placeCentos("branch3", "keys-ipsec2", "IKE_PSK=a-different-key\n", "600");
    expect((await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec2"])).code).toBe(2);
    const r = await execInRouter(lab, "branch3", ["/sbin/ifup", "ipsec2"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("AUTH_FAILED");
    expect((await ping("branch3", getRouter(lab, "branch2").lanHost.ip)).received).toBe(0);
    const sas = await execInRouter(lab, "branch3", ["swanctl", "--list-sas"]);
    expect(sas.stdout).not.toContain("INSTALLED");
    for (const router of ["branch2", "branch3"]) {
      expect((await execInRouter(lab, router, ["/sbin/ifdown", "ipsec2"])).code).toBe(0);
    }
    expect(b3.platform).toBe("centos-racoon");
  });

  it("ifup fails like the real one on missing or malformed files", async () => {
    const good = ifcfg({ local: "branch2", peer: "branch3" });
    const cases: [string, string][] = [
      ["missing DST", good.replace(/^DST=.*\n/m, "")],
      ["bad IP", good.replace(/^DST=.*$/m, "DST=198.18.300.1")],
      ["not IPSEC", good.replace("TYPE=IPSEC", "TYPE=Ethernet")],
      ["stray quote (article typo)", good.replace(/^(DST=.*)$/m, "$1'")],
      ["bad IKE_ENC", good + "IKE_ENC=des\n"],
    ];
    await placeCentos("branch2", "keys-ipsec3", "IKE_PSK=x\n", "600");
    for (const [what, content] of cases) {
      await placeCentos("branch2", "ifcfg-ipsec3", content);
      const r = await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec3"]);
      expect(r.code, what).toBe(1);
      expect(r.stderr, what).toMatch(/^ifup: /);
    }
    expect((await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec9"])).code).toBe(1);
    await placeCentos("branch2", "ifcfg-ipsec3", good);
    await sh("branch2", "rm /etc/sysconfig/network-scripts/keys-ipsec3");
    const noKeys = await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec3"]);
    expect(noKeys.code).toBe(1);
    expect(noKeys.stderr).toContain("keys-ipsec3");
    // ifup/ifdown exist only on centos-racoon routers.
    expect((await execInRouter(lab, "hq", ["test", "-e", "/sbin/ifup"])).code).not.toBe(0);
  });

  it("charon can be stopped and started for health tests", async () => {
    const before = labStatus(lab).find((s) => s.router.name === "hq")!.charon;
    await stopCharon(lab, "hq");
    expect(labStatus(lab).find((s) => s.router.name === "hq")!.charon).toBeUndefined();
    const pid = await startCharon(lab, "hq");
    expect(pid).not.toBe(before);
    expect((await execInRouter(lab, "hq", ["swanctl", "--stats"])).code).toBe(0);
  });

  it("down leaves no namespace, mount, process, route or veth behind", async () => {
    const pids = labStatus(lab)
      .flatMap((s) => [s.sshd, s.charon])
      .filter((p): p is number => !!p);
    expect(pids.length).toBe(8);
    const result = await stopLab(LAB);
    expect(result.found).toBe(true);
    expect(readLabState(LAB)).toBeNull();
    const netns = (await run(["ip", "netns", "list"])).stdout;
    expect(netns).not.toContain(`${LAB}-`);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(`/run/gatewarden-lab/${LAB}`);
    for (const pid of pids) {
      let state = "gone";
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      } catch {
        // gone
      }
      expect(["gone", "Z", "X"]).toContain(state);
    }
    const routes = (await run(["ip", "-4", "route", "show", "table", "all"])).stdout;
    for (const r of lab.routers) expect(routes).not.toContain(r.publicIp);
    expect((await run(["ip", "link", "show", lab.wan.rootVeth])).code).not.toBe(0);
    expect((await stopLab(LAB)).found).toBe(false);
  });
});
