// `lab up --backend vm`: every router is a QEMU micro-VM running Debian's own kernel, so
// IPsec is the kernel's (XFRM SAs and policies, transport mode, AH, PF_KEY) as on a
// production gateway, with the host's sshd, charon and iproute2 (and, on Libreswan
// routers, Libreswan unpacked for that router only). QEMU runs inside the lab's WAN
// namespace with one tap per router on its internet bridge and one on the site's LAN
// bridge, which also holds the LAN host's veth: nothing is added to the root namespace
// but the lab's usual veth and /32 routes. Boots a few VMs at a time (2 cores).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { LabPlan, RouterPlan } from "../address-plan";
import { installCentosEmulation, KERNEL_IPSEC_MARK } from "../centos-racoon/install";
import { mapLimit, runChecked, sleep } from "../exec";
import { RACOON_CONF } from "../router-files";
import type { LabState, RouterState } from "../state";
import { writeLabState } from "../state";
import { guestImage, renderGuestSshdConfig, renderGuestStrongswanConf, renderNetEnv, ROUTER_INIT, type GuestImage } from "./guest-files";
import { qemuArgv } from "./qemu";

/** VMs booting at once: each boot keeps a core busy for several seconds under TCG. */
const BOOT_CONCURRENCY = 3;
const BOOT_TIMEOUT_MS = 180_000;
const MEMORY_MB = 192;

export const vmTaps = (site: number) => ({ wanTap: `tw${site}`, lanTap: `tl${site}`, lanBridge: `lb${site}`, lanVeth: `lh${site}` });

type Ip = (netns: string | null, lines: readonly string[]) => Promise<void>;

/** Networks of a VM lab: the WAN bridge, per site a LAN bridge with the VM's LAN tap and the LAN host's veth. */
export async function buildVmNetworks(plan: LabPlan, ipBatch: Ip): Promise<void> {
  await ipBatch(null, [
    ...[plan.wan.netns, ...plan.routers.map((r) => r.lanHost.netns)].map((ns) => `netns add ${ns}`),
    `link add br0 netns ${plan.wan.netns} type bridge`,
    `link add ${plan.wan.rootVeth} type veth peer name ${plan.wan.rootVethPeer} netns ${plan.wan.netns}`,
    ...plan.routers.map(
      (r) => `link add ${vmTaps(r.site).lanVeth} netns ${plan.wan.netns} type veth peer name lan0 netns ${r.lanHost.netns}`,
    ),
  ]);
  await ipBatch(plan.wan.netns, [
    "link set lo up",
    "link set br0 up",
    `addr add ${plan.wan.bridgeAddress}/24 dev br0`,
    `link set ${plan.wan.rootVethPeer} master br0`,
    `link set ${plan.wan.rootVethPeer} up`,
    ...plan.routers.flatMap((r) => {
      const t = vmTaps(r.site);
      return [
        `tuntap add ${t.wanTap} mode tap`,
        `link set ${t.wanTap} master br0`,
        `link set ${t.wanTap} up`,
        `link add ${t.lanBridge} type bridge`,
        `link set ${t.lanBridge} up`,
        `tuntap add ${t.lanTap} mode tap`,
        `link set ${t.lanTap} master ${t.lanBridge}`,
        `link set ${t.lanTap} up`,
        `link set ${t.lanVeth} master ${t.lanBridge}`,
        `link set ${t.lanVeth} up`,
      ];
    }),
  ]);
  await runChecked(["nsenter", `--net=/run/netns/${plan.wan.netns}`, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);
  for (const r of plan.routers) {
    await ipBatch(r.lanHost.netns, [
      "link set lo up",
      `addr add ${r.lanHost.ip}/24 dev lan0`,
      "link set lan0 up",
      `route add default via ${r.lanAddress}`,
    ]);
  }
}

/** The router's writable share: its init, addresses, sshd and IKE configuration, keys. */
export function prepareVmRouterDir(state: LabState, plan: LabPlan, r: RouterState): void {
  mkdirSync(r.dir, { recursive: true, mode: 0o700 });
  const hostKeyDir = path.join(state.labDir, "host-keys", r.name);
  copyFileSync(path.join(hostKeyDir, "ssh_host_ed25519_key"), path.join(r.dir, "ssh_host_ed25519_key"));
  chmodSync(path.join(r.dir, "ssh_host_ed25519_key"), 0o600);
  writeFileSync(path.join(r.dir, "authorized_keys"), state.managementKey.publicKey + "\n", { mode: 0o600 });
  writeFileSync(path.join(r.dir, "sshd_config"), renderGuestSshdConfig(r.publicIp));
  writeFileSync(path.join(r.dir, "strongswan.conf"), renderGuestStrongswanConf({ aggressivePskResponder: r.platform === "centos-racoon" }));
  writeFileSync(path.join(r.dir, "init.sh"), readFileSync(ROUTER_INIT, "utf8"), { mode: 0o755 });
  writeFileSync(
    path.join(r.dir, "net.env"),
    renderNetEnv({
      hostname: r.name,
      publicIp: r.publicIp,
      wanGateway: plan.wan.bridgeAddress,
      lanAddress: r.lanAddress,
      ike: r.platform === "libreswan" ? "libreswan" : "strongswan",
    }),
  );
}

function consoleState(dir: string): "ready" | { failed: string } | null {
  const file = path.join(dir, "console.log");
  if (!existsSync(file)) return null;
  const text = readFileSync(file, "utf8");
  if (text.includes("gw-router-ready")) return "ready";
  const failed = /gw-router-failed: (.*)|(Kernel panic.*)/.exec(text);
  return failed ? { failed: (failed[1] ?? failed[2])!.trim() } : null;
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

/**
 * What a CentOS router lays over the host's /usr and /etc (its "extra" share, as Libreswan's):
 * the lab's CentOS emulation in /usr/sbin (ifup, ifdown, racoon, setkey; swanctl hidden),
 * racoon's stock /etc/racoon, an empty network-scripts directory, and the mark that tells the
 * emulation the kernel does the IPsec (transport mode, setkey -D from the kernel's SAD).
 */
async function prepareCentosExtra(state: LabState, r: RouterState): Promise<string> {
  const extra = path.join(state.labDir, "vm-extra", r.name);
  rmSync(extra, { recursive: true, force: true });
  await installCentosEmulation(path.join(extra, "usr", "sbin"), state.labDir);
  for (const d of ["/etc/racoon/certs", "/etc/sysconfig/network-scripts", path.dirname(KERNEL_IPSEC_MARK)])
    mkdirSync(path.join(extra, d), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(extra, "etc", "racoon", "racoon.conf"), RACOON_CONF);
  writeFileSync(path.join(extra, KERNEL_IPSEC_MARK), "XFRM: the guest kernel holds the SAs and policies\n");
  return extra;
}

/** Starts one router's VM and waits until its sshd answers; returns the QEMU pid and the seconds it took. */
async function bootRouter(image: GuestImage, state: LabState, r: RouterState, index: number): Promise<{ pid: number; seconds: number }> {
  const t = vmTaps(r.site);
  const started = performance.now();
  const argv = qemuArgv(image, {
    name: `${state.name}-${r.name}`,
    index,
    routerDir: r.dir,
    wanTap: t.wanTap,
    lanTap: t.lanTap,
    extra: r.platform === "libreswan" ? image.libreswan : r.platform === "centos-racoon" ? await prepareCentosExtra(state, r) : null,
    memoryMb: MEMORY_MB,
  });
  await runChecked(["nsenter", `--net=/run/netns/${state.wan.netns}`, ...argv]);
  const pid = Number(readFileSync(path.join(r.dir, "qemu.pid"), "utf8").trim());
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  for (;;) {
    const s = consoleState(r.dir);
    if (s === "ready" && (await tcpAnswers(r.publicIp, r.sshPort))) break;
    if (s && s !== "ready") throw new Error(`VM router ${r.name} failed to boot: ${s.failed} (see ${path.join(r.dir, "console.log")})`);
    if (Date.now() > deadline)
      throw new Error(`VM router ${r.name} did not answer SSH within ${BOOT_TIMEOUT_MS / 1000} s (see ${path.join(r.dir, "console.log")})`);
    await sleep(250);
  }
  return { pid, seconds: (performance.now() - started) / 1000 };
}

export async function bootVmRouters(state: LabState, plan: LabPlan, log: (line: string) => void): Promise<void> {
  const image = guestImage();
  for (const r of state.routers) prepareVmRouterDir(state, plan, r);
  await mapLimit(state.routers, BOOT_CONCURRENCY, async (r) => {
    const { pid, seconds } = await bootRouter(image, state, r, r.site);
    r.vm = { ...r.vm!, qemuPid: pid, bootSeconds: Number(seconds.toFixed(1)) };
    writeLabState(state);
    log(`  ${r.name}: VM up in ${seconds.toFixed(1)} s (kernel ${image.kernelVersion}, qemu pid ${pid})`);
  });
}

/** For RouterPlan → RouterState: what a VM router records beyond the common fields. */
export function vmRouterFields(r: RouterPlan): Pick<RouterState, "vm"> {
  const t = vmTaps(r.site);
  return { vm: { wanTap: t.wanTap, lanTap: t.lanTap } };
}

/** Runs a command inside a VM router over SSH (argv quoted for its shell). */
export function remoteCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=,+@%-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(" ");
}

/** The router's QEMU pid while it runs. */
export function qemuPidOf(r: RouterState): number | undefined {
  const pid = r.vm?.qemuPid;
  if (!pid) return undefined;
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith("qemu-system") ? pid : undefined;
  } catch {
    return undefined;
  }
}
