// `lab up`: builds the namespaces, veths, mount namespaces and daemons of a lab
// from a plan (address-plan.ts), after the overlap check against the machine.
// Every resource is written to state.json's ledger BEFORE it is created, so
// teardown.ts can undo a half-built lab.
import { assertLabHostReady } from "./preflight";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chooseWanCidr, labCidrs, planLab, type LabPlan, type Platform, type RouterPlan } from "./address-plan";
import { startCharon, startSshd } from "./daemons";
import { mapLimit, run, runChecked } from "./exec";
import { readHostNetwork } from "./host-network";
import { describeConflicts, findConflicts } from "./overlap";
import { knownHostsLine, RACOON_CONF, renderCharonConf, renderSshdConfig, sshFingerprint, SWANCTL_CONF } from "./router-files";
import { labDir, nsDir, writeLabState, type LabBackend, type LabState, type RouterState } from "./state";
import { installCentosEmulation } from "./centos-racoon/install";
import { bootVmRouters, buildVmNetworks, vmRouterFields } from "./vm/build-vm";

const CONCURRENCY = 6;
// swanctl --load-all complains about each missing one of these.
const SWANCTL_SUBDIRS = [
  "x509",
  "x509ca",
  "x509ocsp",
  "x509aa",
  "x509ac",
  "x509crl",
  "pubkey",
  "private",
  "rsa",
  "ecdsa",
  "bliss",
  "pkcs8",
  "pkcs12",
];

export interface UpOptions {
  name: string;
  sites: number;
  platforms: readonly Platform[];
  backend?: LabBackend;
  log?: (line: string) => void;
}

export async function buildLab(opts: UpOptions): Promise<LabState> {
  const log = opts.log ?? (() => {});
  assertLabHostReady();
  const host = await readHostNetwork();
  const wanCidr = chooseWanCidr(opts.name, (cidr) => findConflicts([cidr], host).length === 0);
  if (!wanCidr) throw new Error("no free /24 left in 198.18.0.0/15");
  const backend = opts.backend ?? "netns";
  const plan = planLab({ name: opts.name, sites: opts.sites, platforms: opts.platforms, wanCidr });
  const needsVm = plan.routers.filter((r) => r.platform === "libreswan");
  if (backend === "netns" && needsVm.length) {
    throw new Error(
      `${needsVm.map((r) => r.name).join(", ")}: Libreswan needs the kernel's IPsec, which this machine's kernel lacks: use --backend vm`,
    );
  }
  const conflicts = findConflicts(labCidrs(plan), host);
  if (conflicts.length) throw new Error(`refusing to build lab ${opts.name}:\n${describeConflicts(conflicts)}`);
  await refuseExistingNamespaces(plan);
  log(
    `lab ${plan.name}: WAN ${plan.wan.cidr}, ${plan.routers.length} router(s) (${backend === "vm" ? "QEMU micro-VMs, kernel IPsec" : "network namespaces, libipsec"})`,
  );

  const dir = labDir(plan.name);
  mkdirSync(dir, { recursive: true });
  const mgmt = await ensureKeyPair(path.join(dir, "id_ed25519"), `gatewarden-lab-${plan.name}`);
  const state: LabState = {
    version: 1,
    name: plan.name,
    status: "building",
    backend,
    createdAt: new Date().toISOString(),
    labDir: dir,
    wan: {
      netns: plan.wan.netns,
      cidr: plan.wan.cidr,
      bridgeAddress: plan.wan.bridgeAddress,
      rootVeth: plan.wan.rootVeth,
      rootAddress: plan.wan.rootAddress,
    },
    managementKey: { privateKeyPath: mgmt.privateKeyPath, publicKeyPath: `${mgmt.privateKeyPath}.pub`, publicKey: mgmt.publicKey },
    knownHostsPath: path.join(dir, "known_hosts"),
    routers: [],
    created: { netns: [], mountNs: [], rootRoutes: [] },
  };
  writeLabState(state);

  // Keys and per-router directories first (no kernel state yet).
  state.routers = await mapLimit(plan.routers, CONCURRENCY, (r) => prepareRouterFiles(dir, plan, r, mgmt.publicKey));
  if (backend === "vm")
    state.routers = state.routers.map((r, i) => ({ ...r, ...vmRouterFields(plan.routers[i]!), mountNs: "", netns: plan.wan.netns }));
  writeFileSync(state.knownHostsPath, state.routers.map((r) => knownHostsLine(r.publicIp, r.sshPort, r.hostPublicKey)).join("\n") + "\n");
  if (backend === "vm") return finishVmLab(state, plan, log);

  // Namespaces and veths: one `ip -batch` in the root namespace.
  state.created.netns = [plan.wan.netns, ...plan.routers.flatMap((r) => [r.netns, r.lanHost.netns])];
  state.created.rootVeth = plan.wan.rootVeth;
  writeLabState(state);
  await ipBatch(null, [
    ...state.created.netns.map((ns) => `netns add ${ns}`),
    `link add br0 netns ${plan.wan.netns} type bridge`,
    `link add ${plan.wan.rootVeth} type veth peer name ${plan.wan.rootVethPeer} netns ${plan.wan.netns}`,
    ...plan.routers.flatMap((r) => [
      `link add wan0 netns ${r.netns} type veth peer name ${r.wanPeer} netns ${plan.wan.netns}`,
      `link add lan0 netns ${r.netns} type veth peer name lan0 netns ${r.lanHost.netns}`,
    ]),
  ]);

  // The internet: a bridge with forwarding on and no default route.
  await ipBatch(plan.wan.netns, [
    "link set lo up",
    "link set br0 up",
    `addr add ${plan.wan.bridgeAddress}/24 dev br0`,
    `link set ${plan.wan.rootVethPeer} master br0`,
    `link set ${plan.wan.rootVethPeer} up`,
    ...plan.routers.flatMap((r) => [`link set ${r.wanPeer} master br0`, `link set ${r.wanPeer} up`]),
  ]);
  await runChecked(["nsenter", `--net=/run/netns/${plan.wan.netns}`, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);

  // Mount namespace files must sit on a private mount; a tmpfs also carries the
  // routers' /etc overlay upper dirs (overlayfs refuses an upper dir on overlayfs,
  // which is what the repo sits on in a container).
  const nsd = nsDir(plan.name);
  state.created.nsDir = nsd;
  state.created.mountNs = state.routers.map((r) => r.mountNs);
  writeLabState(state);
  mkdirSync(nsd, { recursive: true });
  await runChecked(["mount", "-t", "tmpfs", "-o", "mode=0755,size=256m", `gatewarden-lab-${plan.name}`, nsd]);
  await runChecked(["mount", "--make-private", nsd]);
  for (const r of state.routers) {
    for (const sub of ["upper/sysconfig", "upper/racoon", "work"])
      mkdirSync(path.join(nsd, "etc", r.name, sub), { recursive: true, mode: 0o755 });
  }

  await mapLimit(plan.routers, CONCURRENCY, async (rp) => {
    const r = state.routers.find((x) => x.name === rp.name)!;
    await configureRouterNetwork(plan, rp);
    await createMountNamespace(r);
    r.pids.sshd = await startSshd(r);
    r.pids.charon = await startCharon(r);
  });
  writeLabState(state);

  await addRootRoutes(state, plan);

  state.status = "up";
  writeLabState(state);
  return state;
}

async function finishVmLab(state: LabState, plan: LabPlan, log: (line: string) => void): Promise<LabState> {
  state.created.netns = [plan.wan.netns, ...plan.routers.map((r) => r.lanHost.netns)];
  state.created.rootVeth = plan.wan.rootVeth;
  writeLabState(state);
  await buildVmNetworks(plan, ipBatch);
  await addRootRoutes(state, plan);
  await bootVmRouters(state, plan, log);
  state.status = "up";
  writeLabState(state);
  return state;
}

/** Root namespace: one veth into the WAN, a /32 address and /32 routes to the routers. */
async function addRootRoutes(state: LabState, plan: LabPlan): Promise<void> {
  state.created.rootRoutes = plan.routers.map((r) => `${r.publicIp}/32`);
  writeLabState(state);
  writeFileSync(`/proc/sys/net/ipv6/conf/${plan.wan.rootVeth}/disable_ipv6`, "1");
  await ipBatch(null, [
    `addr add ${plan.wan.rootAddress}/32 dev ${plan.wan.rootVeth}`,
    `link set ${plan.wan.rootVeth} up`,
    ...plan.routers.map((r) => `route add ${r.publicIp}/32 dev ${plan.wan.rootVeth} src ${plan.wan.rootAddress}`),
  ]);
}

async function refuseExistingNamespaces(plan: LabPlan): Promise<void> {
  const existing = new Set((await runChecked(["ip", "netns", "list"])).split("\n").map((l) => l.split(" ")[0]));
  const clash = [plan.wan.netns, ...plan.routers.flatMap((r) => [r.netns, r.lanHost.netns])].filter((n) => existing.has(n));
  if (clash.length) throw new Error(`namespaces already exist (another lab with this name?): ${clash.join(", ")}`);
}

async function ipBatch(netns: string | null, lines: readonly string[]): Promise<void> {
  await runChecked(["ip", ...(netns ? ["-n", netns] : []), "-batch", "-"], { input: lines.join("\n") + "\n" });
}

async function ensureKeyPair(privateKeyPath: string, comment: string): Promise<{ privateKeyPath: string; publicKey: string }> {
  if (!existsSync(privateKeyPath) || !existsSync(`${privateKeyPath}.pub`)) {
    mkdirSync(path.dirname(privateKeyPath), { recursive: true });
    await runChecked(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", privateKeyPath]);
  }
  return { privateKeyPath, publicKey: readFileSync(`${privateKeyPath}.pub`, "utf8").trim() };
}

/** Per-router directories; host keys are kept across `up`s so pinned fingerprints stay valid. */
async function prepareRouterFiles(dir: string, plan: LabPlan, r: RouterPlan, mgmtPublicKey: string): Promise<RouterState> {
  const hostKey = await ensureKeyPair(path.join(dir, "host-keys", r.name, "ssh_host_ed25519_key"), `${plan.name}-${r.name}`);
  const rdir = path.join(dir, "routers", r.name);
  for (const sub of [
    "run/sshd",
    "etc-ssh",
    "etc-swanctl/conf.d",
    ...SWANCTL_SUBDIRS.map((d) => `etc-swanctl/${d}`),
    "etc-sysconfig/network-scripts",
    "etc-racoon/certs",
  ]) {
    mkdirSync(path.join(rdir, sub), { recursive: true, mode: 0o755 });
  }
  const sshDir = path.join(rdir, "etc-ssh");
  copyFileSync(hostKey.privateKeyPath, path.join(sshDir, "ssh_host_ed25519_key"));
  chmodSync(path.join(sshDir, "ssh_host_ed25519_key"), 0o600);
  writeFileSync(path.join(sshDir, "ssh_host_ed25519_key.pub"), hostKey.publicKey + "\n");
  writeFileSync(path.join(sshDir, "authorized_keys"), mgmtPublicKey + "\n", { mode: 0o600 });
  writeFileSync(path.join(sshDir, "sshd_config"), renderSshdConfig({ listenAddress: r.publicIp, port: 22 }));
  writeIfMissing(path.join(rdir, "etc-swanctl", "swanctl.conf"), SWANCTL_CONF);
  const charonConf = path.join(rdir, "strongswan.conf");
  writeFileSync(charonConf, renderCharonConf(r.platform));
  if (r.platform === "centos-racoon") {
    writeIfMissing(path.join(rdir, "etc-racoon", "racoon.conf"), RACOON_CONF);
    await installCentosEmulation(path.join(rdir, "sbin-extra"), dir);
  }
  if (/[\s,:]/.test(rdir)) throw new Error(`lab directory ${rdir} must not contain spaces, commas or colons (overlay mount options)`);
  return {
    name: r.name,
    site: r.site,
    platform: r.platform,
    netns: r.netns,
    publicIp: r.publicIp,
    sshPort: 22,
    sshUser: "root",
    hostPublicKey: hostKey.publicKey,
    hostKeyFingerprint: sshFingerprint(hostKey.publicKey),
    wanInterface: r.wanInterface,
    lanInterface: r.lanInterface,
    lanCidr: r.lanCidr,
    lanAddress: r.lanAddress,
    lanHost: { netns: r.lanHost.netns, ip: r.lanHost.ip },
    mountNs: path.join(nsDir(plan.name), `${r.name}.mnt`),
    dir: rdir,
    charonConf,
    pids: {},
  };
}

function writeIfMissing(file: string, content: string): void {
  if (!existsSync(file)) writeFileSync(file, content);
}

async function configureRouterNetwork(plan: LabPlan, r: RouterPlan): Promise<void> {
  await ipBatch(r.netns, [
    "link set lo up",
    `addr add ${r.publicIp}/24 dev wan0`,
    "link set wan0 up",
    `addr add ${r.lanAddress}/24 dev lan0`,
    "link set lan0 up",
    `route add default via ${plan.wan.bridgeAddress}`,
  ]);
  await ipBatch(r.lanHost.netns, [
    "link set lo up",
    `addr add ${r.lanHost.ip}/24 dev lan0`,
    "link set lan0 up",
    `route add default via ${r.lanAddress}`,
  ]);
}

// Runs in the router's netns, inside a new persistent mount namespace. /etc becomes
// a per-router overlay (writes such as sysctl.conf edits stay in the router), then
// per-router directories are bound over it (and over /var/lib/gatewarden, where
// deploys keep backups); centos-racoon routers also get an
// overlay on /usr/sbin (= /sbin, merged /usr) that adds ifup/ifdown.
const MOUNT_SCRIPT = `set -e
D="$1"
echo 1 > /proc/sys/net/ipv4/ip_forward
mount -t overlay gwlab-etc -o "lowerdir=/etc,upperdir=$3/upper,workdir=$3/work" /etc
# Drop this namespace's copy of the lab tmpfs (other routers' namespace files);
# the overlay above keeps its own reference to its upper dir.
umount -l "$4"
mount --bind "$D/run" /run
mount --bind "$D/etc-ssh" /etc/ssh
mount --bind "$D/etc-swanctl" /etc/swanctl
mount --bind "$D/etc-sysconfig" /etc/sysconfig
mount --bind "$D/etc-racoon" /etc/racoon
# Gatewarden keeps its on-router backups here: each router needs its own.
mkdir -p /var/lib/gatewarden "$D/var-lib-gatewarden"
mount --bind "$D/var-lib-gatewarden" /var/lib/gatewarden
mount -t sysfs sysfs /sys
# Root's home holds nothing of this host's: its dotfiles (a pyenv or cargo init in .bashrc)
# would run in the shell of every command Gatewarden sends, as on no real router.
mkdir -p "$D/root" && chmod 700 "$D/root" && mount --bind "$D/root" /root
if [ "$2" = centos-racoon ]; then
  # Debian 12 has merged /usr (/sbin -> usr/sbin); overlay /sbin itself otherwise.
  if [ -L /sbin ]; then SBIN=/usr/sbin; else SBIN=/sbin; fi
  mount -t overlay gwlab-sbin -o "lowerdir=$D/sbin-extra:$SBIN" "$SBIN"
fi
`;

async function createMountNamespace(r: RouterState): Promise<void> {
  writeFileSync(r.mountNs, "");
  await runChecked([
    "nsenter",
    `--net=/run/netns/${r.netns}`,
    "unshare",
    `--mount=${r.mountNs}`,
    "--propagation",
    "private",
    "sh",
    "-c",
    MOUNT_SCRIPT,
    "lab-mount",
    r.dir,
    r.platform,
    path.join(path.dirname(r.mountNs), "etc", r.name),
    path.dirname(r.mountNs),
  ]);
}

/** Used by status/tests: does the lab's WAN still answer from the root namespace? */
export async function pingRouterFromRoot(r: RouterState): Promise<boolean> {
  return (await run(["ping", "-c", "1", "-W", "1", r.publicIp])).code === 0;
}
