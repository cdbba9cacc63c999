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

  it("a centos-racoon pair as initscripts runs it: ifup returns 0 at once, writes aggressive, main whatever IKE_EXCHANGE_MODE says; ifdown keeps <DST>.conf and the key", async () => {
    const b2 = getRouter(lab, "branch2");
    const b3 = getRouter(lab, "branch3");
    const extra = 'IKE_EXCHANGE_MODE=main\nIKE_ENC="aes 256"\nIKE_AUTH=sha256\nIKE_DHGROUP=14';
    await placeCentos("branch2", "ifcfg-ipsec1", ifcfg({ local: "branch2", peer: "branch3", extra }));
    await placeCentos("branch3", "ifcfg-ipsec1", ifcfg({ local: "branch3", peer: "branch2", extra }));
    await placeCentos("branch2", "keys-ipsec1", "IKE_PSK=r3dh4t11nux\n", "600");
    await placeCentos("branch3", "keys-ipsec1", "IKE_PSK=r3dh4t11nux\n", "600");
    expect((await ping("branch2", b3.lanHost.ip)).received).toBe(0);

    // The real ifup returns racoon's start status: 0, also with no configured peer yet.
    const first = await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec1"]);
    expect(first.code, first.stderr).toBe(0);
    const second = await execInRouter(lab, "branch3", ["/sbin/ifup", "ipsec1"]);
    expect(second.code, second.stderr).toBe(0);

    const files = await sh(
      "branch3",
      `stat -c %a /etc/racoon/psk.txt; cat /etc/racoon/psk.txt /etc/racoon/${b2.publicIp}.conf; grep include /etc/racoon/racoon.conf`,
    );
    expect(files.stdout).toContain(`600\n${b2.publicIp}  r3dh4t11nux`);
    // ifup-ipsec's own remote block: no `;` line, and its hard-coded modes.
    expect(files.stdout).toContain(`\nremote ${b2.publicIp}\n{\n\texchange_mode aggressive, main;\n`);
    expect(files.stdout).toContain("encryption_algorithm aes 256;");
    expect(files.stdout).toContain(`include "/etc/racoon/${b2.publicIp}.conf";`);
    const routes = await execInRouter(lab, "branch3", ["ip", "route", "list"]);
    expect(routes.stdout).toContain(`${b2.lanCidr} via ${b3.lanAddress} dev lan0 src ${b3.lanAddress}`);
    const spd = await execInRouter(lab, "branch3", ["setkey", "-DP"]);
    expect(spd.stdout).toContain(
      `${b3.lanCidr}[any] ${b2.lanCidr}[any] 255\n\tout prio def ipsec\n\tesp/tunnel/${b3.publicIp}-${b2.publicIp}/require\n`,
    );
    let pings = { sent: 0, received: 0 };
    for (let i = 0; i < 10 && pings.received < 3; i++) pings = await ping("branch2", b3.lanHost.ip);
    expect(pings).toEqual({ sent: 3, received: 3 });
    const sad = await execInRouter(lab, "branch3", ["setkey", "-D"]);
    expect(sad.stdout).toMatch(
      new RegExp(
        `^${b2.publicIp.replaceAll(".", "\\.")} ${b3.publicIp.replaceAll(".", "\\.")} \n\tesp mode=tunnel spi=\\d+\\(0x[0-9a-f]{8}\\)`,
        "m",
      ),
    );
    // racoon initiates with the first listed mode: aggressive, although the ifcfg said main.
    expect((await sh("branch2", "cat /run/charon.log")).stdout).toMatch(/initiating Aggressive Mode IKE_SA/);

    for (const r of ["branch3", "branch2"]) {
      const down = await execInRouter(lab, r, ["/sbin/ifdown", "ipsec1"]);
      expect(down.code, down.stderr).toBe(0);
    }
    const after = await execInRouter(lab, "branch3", ["ip", "route", "list"]);
    expect(after.stdout).not.toContain(b2.lanCidr);
    const left = await sh("branch3", `cat /etc/racoon/psk.txt; ls /etc/racoon; grep -c "^include" /etc/racoon/racoon.conf; setkey -DP`);
    // ifdown-ipsec touches neither <DST>.conf nor psk.txt; it drops the include and the policies.
    expect(left.stdout).toContain(`${b2.publicIp}  r3dh4t11nux`);
    expect(left.stdout).toContain(`${b2.publicIp}.conf`);
    expect(left.stdout).toContain("\n0\nNo SPD entries.\n");
    expect((await ping("branch2", b3.lanHost.ip)).received).toBe(0);
  });

  it("ifup rewrites <DST>.conf only when it is missing or older than ifcfg-ipsecN", async () => {
    const b3 = getRouter(lab, "branch3");
    await placeCentos("branch2", "ifcfg-ipsec4", ifcfg({ local: "branch2", peer: "branch3" }));
    await placeCentos("branch2", "keys-ipsec4", "IKE_PSK=k\n", "600");
    const conf = `/etc/racoon/${b3.publicIp}.conf`;
    const mine = `remote ${b3.publicIp}\n{\n\texchange_mode main;\n\tmy_identifier address;\n\tproposal {\n\t\tencryption_algorithm 3des;\n\t\thash_algorithm sha1;\n\t\tauthentication_method pre_shared_key;\n\t\tdh_group 2;\n\t}\n}\n`;
    await sh("branch2", `cat > ${conf}; touch -d '+1 second' ${conf}`, mine);
    expect((await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec4"])).code).toBe(0);
    expect((await sh("branch2", `cat ${conf}`)).stdout).toBe(mine);
    await sh("branch2", `touch -d '-1 hour' ${conf}`);
    expect((await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec4"])).code).toBe(0);
    expect((await sh("branch2", `cat ${conf}`)).stdout).toContain("exchange_mode aggressive, main;");
    expect((await execInRouter(lab, "branch2", ["/sbin/ifdown", "ipsec4"])).code).toBe(0);
  });

  it("the emulated racoon refuses what racoon refuses (and ifup still exits 0): no compression, DH 19, an include matching no file, a stray `;`", async () => {
    const b3 = getRouter(lab, "branch3");
    const good = (await sh("branch2", "cat /etc/racoon/racoon.conf")).stdout.replace(/^include .*\n/gm, "");
    await placeCentos("branch2", "ifcfg-ipsec5", ifcfg({ local: "branch2", peer: "branch3" }));
    await placeCentos("branch2", "keys-ipsec5", "IKE_PSK=k\n", "600");
    const remote = `/etc/racoon/${b3.publicIp}.conf`;
    const cases: [string, string, RegExp][] = [
      ["no compression", `printf '%s' "$1" | sed '/compression_algorithm/d' > /etc/racoon/racoon.conf`, /no compression algorithm/],
      [
        "DH 19",
        `printf '%s' "$1" > /etc/racoon/racoon.conf; sed -i 's/dh_group 2;/dh_group 19;/' ${remote}; touch -d '+1 minute' ${remote}`,
        /"19" must be DH group/,
      ],
      [
        "include of a missing file",
        `printf '%s\\ninclude "/etc/racoon/missing.conf";\\n' "$1" > /etc/racoon/racoon.conf; rm -f ${remote}`,
        /glob found no matches/,
      ],
      ["stray ;", `printf ';\\n%s' "$1" > /etc/racoon/racoon.conf; rm -f ${remote}`, /";" syntax error/],
    ];
    for (const [what, setup, error] of cases) {
      await sh(
        "branch2",
        `rm -f /run/racoon.pid /run/racoon.log; ${setup}`.replace(/"\$1"/g, '"$GOOD"').replace(/^/, `GOOD=$(cat); `),
        good,
      );
      const up = await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec5"]);
      expect(up.code, what).toBe(0);
      const log = (await sh("branch2", "cat /run/racoon.log; ls /run/racoon.pid /etc/swanctl/conf.d 2>&1")).stdout;
      expect(log, what).toMatch(error);
      expect(log, what).toContain("fatal parse failure");
      expect(log, what).toContain("No such file"); // racoon exited: no pid file
      expect(log, what).not.toContain("racoon-");
      await execInRouter(lab, "branch2", ["/sbin/ifdown", "ipsec5"]);
    }
    await sh("branch2", `GOOD=$(cat); printf '%s' "$GOOD" > /etc/racoon/racoon.conf; rm -f ${remote}`, good);
  });

  it("AH is on unless AH_PROTO=none: the policy requires it, and the lab (no AH in libipsec) negotiates nothing and says why", async () => {
    const b3 = getRouter(lab, "branch3");
    await placeCentos("branch2", "ifcfg-ipsec6", ifcfg({ local: "branch2", peer: "branch3" }).replace("AH_PROTO=none\n", ""));
    await placeCentos("branch2", "keys-ipsec6", "IKE_PSK=k\n", "600");
    expect((await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec6"])).code).toBe(0);
    expect((await execInRouter(lab, "branch2", ["setkey", "-DP"])).stdout).toContain(
      `\tesp/tunnel/${getRouter(lab, "branch2").publicIp}-${b3.publicIp}/require\n\tah/tunnel/`,
    );
    expect((await sh("branch2", "cat /run/racoon.log")).stdout).toMatch(/requires AH .* has no AH/);
    expect((await execInRouter(lab, "branch2", ["/sbin/ifdown", "ipsec6"])).code).toBe(0);
  });

  it("a CentOS router has no swanctl, and ifup fails only where the real one does (no ifcfg file)", async () => {
    expect((await execInRouter(lab, "branch2", ["swanctl", "--version"])).code).toBe(127);
    expect((await execInRouter(lab, "branch2", ["/sbin/ifup", "ipsec9"])).code).toBe(1);
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
