// Self-test of the VM router lab (root, QEMU): real kernel IPsec between a strongSwan
// and a Libreswan router of the run's shared VM lab, configured by hand here on purpose
// (not by the app's renderers), LAN host to LAN host through ESP; the reset takes it away
// again; and `down` leaves nothing behind (shown on a one-router lab of its own: it has to
// destroy what it checks). Traffic stays inside the namespaces and VMs the test creates.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../exec";
import { execInRouter, getRouter, labStatus, pingFromHost, readLabState, startLab, stopLab, type LabState } from "../lab";
import { attachSharedVmLab, resetVmRouters, SHARED_VM_LAB_NAME, type SharedVmLab } from "./shared-vm-lab";

/** Named after the shared lab, so runs that name theirs apart (GATEWARDEN_VM_LAB) do not share this one either. */
const DOWN_LAB = `${SHARED_VM_LAB_NAME.slice(0, 19)}-down`;
let shared: SharedVmLab;
let lab: LabState;
const PSK = "VmLabTestKey0123456789abcdefXYZ";

const sh = (router: string, script: string) => execInRouter(lab, router, ["sh", "-c", script], { timeoutMs: 60_000 });

beforeAll(async () => {
  shared = await attachSharedVmLab();
  lab = shared.lab;
}, 400_000);

afterAll(async () => {
  if (readLabState(DOWN_LAB)) await stopLab(DOWN_LAB);
  await shared?.release();
}, 120_000);

describe("VM router lab", () => {
  it("boots routers on Debian's kernel, reachable over SSH with the lab's pinned key, with their IKE daemon running", async () => {
    expect(lab.backend).toBe("vm");
    for (const s of labStatus(lab)) expect(s.sshd).toBeTruthy();
    const hq = await sh("hq", "uname -r; pgrep -x charon >/dev/null && echo charon-up; ip -o -4 addr show eth0");
    expect(hq.code).toBe(0);
    expect(hq.stdout).toMatch(/^6\.1\.\d+-\d+-amd64$/m);
    expect(hq.stdout).toContain("charon-up");
    expect(hq.stdout).toContain(`${getRouter(lab, "hq").publicIp}/24`);
    const b1 = await sh("branch1", "ipsec --version; pgrep -x pluto >/dev/null && echo pluto-up");
    expect(b1.stdout).toMatch(/Libreswan 4\./);
    expect(b1.stdout).toContain("pluto-up");
  });

  it("a VM cannot read the host's project or SSH host keys", async () => {
    const r = await sh("hq", `ls ${process.cwd()} 2>&1; ls /etc/ssh/ 2>&1; cat /root/.bashrc 2>&1 | head -1`);
    expect(r.stdout).toMatch(/No such file or directory/);
    expect(r.stdout).not.toMatch(/ssh_host_(rsa|ecdsa|ed25519)_key/);
  });

  it("strongSwan ↔ Libreswan in kernel ESP: LAN host to LAN host only while the tunnel is up", async () => {
    const hq = getRouter(lab, "hq");
    const b1 = getRouter(lab, "branch1");
    expect((await pingFromHost(lab, "hq", b1.lanHost.ip, { count: 2, waitSec: 1 })).received).toBe(0);
    const swanctl = `connections {
  t {
    version = 2
    local_addrs = ${hq.publicIp}
    remote_addrs = ${b1.publicIp}
    proposals = aes256-sha256-modp2048
    local {
      auth = psk
      id = ${hq.publicIp}
    }
    remote {
      auth = psk
      id = ${b1.publicIp}
    }
    children {
      t {
        local_ts = ${hq.lanCidr}
        remote_ts = ${b1.lanCidr}
        esp_proposals = aes256-sha256-modp2048
      }
    }
  }
}
secrets {
  ike-t {
    id-1 = ${hq.publicIp}
    id-2 = ${b1.publicIp}
    secret = "${PSK}"
  }
}
`;
    expect(
      (
        await execInRouter(lab, "hq", ["sh", "-c", "cat > /etc/swanctl/conf.d/t.conf && swanctl --load-all"], {
          input: swanctl,
          timeoutMs: 60_000,
        })
      ).code,
    ).toBe(0);
    const conn = [
      "conn t",
      "  ikev2=insist",
      "  authby=secret",
      `  left=${b1.publicIp}`,
      `  leftid=${b1.publicIp}`,
      `  leftsubnet=${b1.lanCidr}`,
      `  leftsourceip=${b1.lanAddress}`,
      `  right=${hq.publicIp}`,
      `  rightid=${hq.publicIp}`,
      `  rightsubnet=${hq.lanCidr}`,
      "  ike=aes256-sha2_256;modp2048",
      "  esp=aes256-sha2_256;modp2048",
      "  auto=add",
      "",
    ].join("\n");
    await execInRouter(lab, "branch1", ["sh", "-c", "cat > /etc/ipsec.d/t.conf"], { input: conn });
    await execInRouter(lab, "branch1", ["sh", "-c", "umask 077; cat > /etc/ipsec.d/t.secrets"], {
      input: `${b1.publicIp} ${hq.publicIp} : PSK "${PSK}"\n`,
    });
    const up = await sh("branch1", "ipsec auto --add t && ipsec auto --rereadsecrets && ipsec auto --up t");
    expect(up.stdout).toMatch(/established Child SA/);
    const xfrm = await sh("hq", "ip xfrm state");
    expect(xfrm.stdout).toMatch(/proto esp spi 0x[0-9a-f]+ reqid \d+ mode tunnel/);
    expect((await pingFromHost(lab, "branch1", hq.lanHost.ip, { count: 3, waitSec: 2 })).received).toBeGreaterThan(0);
    const counters = await sh("branch1", "ipsec trafficstatus");
    expect(counters.stdout).toMatch(/inBytes=[1-9]/);
  });

  it("the reset between tests takes a tunnel away without a reboot: no connection, SA, policy or file left", async () => {
    await resetVmRouters(lab);
    expect((await pingFromHost(lab, "branch1", getRouter(lab, "hq").lanHost.ip, { count: 2, waitSec: 1 })).received).toBe(0);
    expect((await sh("hq", "ls /etc/swanctl/conf.d; swanctl --list-conns; ip xfrm state")).stdout.trim()).toBe("");
    expect(
      (
        await sh("branch1", "ls /etc/ipsec.d/*.conf /etc/ipsec.d/*.secrets 2>/dev/null; ipsec whack --showstates; ip xfrm state")
      ).stdout.trim(),
    ).toBe("");
    expect((await sh("branch1", "ip route show 192.168.1.0/24")).stdout.trim()).toBe("");
  });

  it("`down` leaves no namespace, tap or running QEMU", async () => {
    const own = await startLab({ name: DOWN_LAB, sites: 1, platforms: ["libreswan"], backend: "vm" });
    const pids = own.routers.map((r) => r.vm!.qemuPid!);
    await stopLab(DOWN_LAB);
    const netns = (await run(["ip", "netns", "list"])).stdout;
    expect(netns).not.toContain(DOWN_LAB);
    for (const pid of pids) {
      // A reaped process is gone; one waiting for its parent to reap it (Z) runs no more.
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
      expect(stat === "" || / Z /.test(stat)).toBe(true);
    }
    expect((await run(["ip", "route", "list"])).stdout).not.toContain(own.routers[0]!.publicIp);
  }, 300_000);
});
