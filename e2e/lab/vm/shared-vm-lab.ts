// One VM router lab for a whole test run. Booting QEMU micro-VMs keeps both cores busy
// for 20–40 s, so `npm test` (scripts/test.mjs) boots this lab once before the
// integration and e2e parts and stops it at the end; every VM test attaches to it and
// resets the routers' IPsec state over SSH instead of rebooting them. A VM test file run
// alone boots the lab itself and stops it afterwards only if it was the one to boot it.
//   attachSharedVmLab() → { lab, bootedHere, release() }   in beforeAll / afterAll
//   resetVmRouters(lab)   every connection, SA, policy and tunnel file gone; daemons running
// Shape: hq strongSwan, branch1 and branch2 Libreswan, branch3 strongSwan, branch4 and
// branch5 CentOS (the lab's racoon emulation over kernel IPsec) — a mixed pair, a Libreswan
// pair, a strongSwan pair and a CentOS pair (kernel IPsec: transport mode host-to-host).
import type { Platform } from "../address-plan";
import { RACOON_CONF } from "../router-files";
import { execInRouter, labStatus, readLabState, startCharon, startLab, stopLab, type LabState, type RouterState } from "../lab";

export const SHARED_VM_LAB_NAME = process.env.GATEWARDEN_VM_LAB || "gwtest-vmlab";
export const SHARED_VM_LAB_PLATFORMS: readonly Platform[] = [
  "strongswan",
  "libreswan",
  "libreswan",
  "strongswan",
  "centos-racoon",
  "centos-racoon",
];

export interface SharedVmLab {
  lab: LabState;
  /** This process booted the lab (nobody else had): release() stops it. */
  bootedHere: boolean;
  /** Seconds the boot took; null when the lab was already up. */
  bootSeconds: number | null;
  release(): Promise<void>;
}

/** The lab is up, has the shared shape and every VM runs. */
function usable(state: LabState | null): state is LabState {
  return (
    state !== null &&
    state.status === "up" &&
    state.backend === "vm" &&
    state.routers.length === SHARED_VM_LAB_PLATFORMS.length &&
    state.routers.every((r, i) => r.platform === SHARED_VM_LAB_PLATFORMS[i]) &&
    labStatus(state).every((s) => s.sshd !== undefined)
  );
}

/** Boots the shared lab (or returns it when already up); replaces a broken or differently shaped one. */
export async function bootSharedVmLab(log: (line: string) => void = () => {}): Promise<{ lab: LabState; seconds: number | null }> {
  const existing = readLabState(SHARED_VM_LAB_NAME);
  if (usable(existing)) return { lab: existing, seconds: null };
  const started = performance.now();
  const lab = await startLab({
    name: SHARED_VM_LAB_NAME,
    sites: SHARED_VM_LAB_PLATFORMS.length,
    platforms: SHARED_VM_LAB_PLATFORMS,
    backend: "vm",
    log,
  });
  return { lab, seconds: (performance.now() - started) / 1000 };
}

export async function stopSharedVmLab(): Promise<boolean> {
  return (await stopLab(SHARED_VM_LAB_NAME)).found;
}

/** For a test file's beforeAll: the run's lab, or one booted here (and stopped by release()). */
export async function attachSharedVmLab(log: (line: string) => void = (l) => console.log(l)): Promise<SharedVmLab> {
  const { lab, seconds } = await bootSharedVmLab();
  const bootedHere = seconds !== null;
  log(
    bootedHere
      ? `VM lab ${lab.name}: booted ${lab.routers.length} routers in ${seconds.toFixed(1)} s (stopped after this file)`
      : `VM lab ${lab.name}: attached to the running lab`,
  );
  // A lab someone else booted may hold what an earlier file left; a fresh one holds nothing.
  if (!bootedHere) await resetVmRouters(lab);
  return {
    lab,
    bootedHere,
    bootSeconds: seconds,
    release: async () => {
      if (bootedHere) await stopSharedVmLab();
    },
  };
}

/** The reset's exit code when the router's IKE daemon is not running. */
const DAEMON_DOWN = 3;

// Every file in these directories is the lab's: the stock trees have none there.
// Connections go first, so a peer that revives its end (Libreswan's auto=start) finds
// nothing to negotiate with; then the SAs they leave behind.
const RESET_STRONGSWAN = `
pgrep -x charon >/dev/null || exit ${DAEMON_DOWN}
rm -f /etc/swanctl/conf.d/*.conf
swanctl --load-all --clear >/dev/null || exit 1
for id in $(swanctl --list-sas --raw | sed -n 's/^list-sa event {[^ ]* {uniqueid=\\([0-9]*\\) .*/\\1/p'); do
  swanctl --terminate --ike-id "$id" --force --timeout 3 >/dev/null 2>&1
done
ip route flush table 220 2>/dev/null
sas="$(swanctl --list-sas --raw | grep '^list-sa event')"`;

// A CentOS router: the emulated racoon's charon (through the emulation's own swanctl) as
// above, then what ifup wrote (ifcfg/keys files, psk.txt, <DST>.conf, the includes, the
// emulated SPD) and racoon's pid and log: racoon counts as not started, as after boot.
const RESET_CENTOS = `${RESET_STRONGSWAN.replaceAll("swanctl ", "/usr/sbin/gw-lab-swanctl ")}
rm -f /etc/sysconfig/network-scripts/ifcfg-* /etc/sysconfig/network-scripts/keys-* /run/gw-lab-spd/* /run/racoon.pid /run/racoon.log
find /etc/racoon -maxdepth 1 -type f -delete
cat > /etc/racoon/racoon.conf <<'GW_RACOON_CONF'
${RACOON_CONF}GW_RACOON_CONF`;

const RESET_LIBRESWAN = `
pgrep -x pluto >/dev/null || exit ${DAEMON_DOWN}
for c in $(ipsec whack --status | sed -n 's/^\\(000 \\)\\{0,1\\}"\\([^"]*\\)":.*/\\2/p' | sort -u); do
  ipsec whack --delete --name "$c" >/dev/null 2>&1
done
rm -f /etc/ipsec.d/*.conf /etc/ipsec.d/*.secrets
ipsec auto --rereadsecrets >/dev/null || exit 1
sas="$(ipsec whack --showstates)"`;

// Kernel state last: a daemon deleting its SAs must not find them gone first. Routes to other
// LANs (Libreswan's _updown adds them to the main table) go too; the router's own LAN stays.
// The IKE daemons' per-socket bypass policies ("socket in/out") are not tunnel state.
const RESET_KERNEL = `
ip xfrm state flush
ip xfrm policy flush
ip -4 route show | sed -n 's/^\\(192\\.168\\.[0-9]*\\.0\\/24\\) .*/\\1/p' | while read -r net; do
  ip -4 route show "$net" | grep -q 'proto kernel' || ip route del "$net"
done
rm -rf /var/lib/gatewarden
left="$sas$(ip xfrm state; ip xfrm policy | grep -E ' dir (in|out|fwd) ')"
[ -z "$left" ] || { echo "IPsec state left after the reset: $left" >&2; exit 1; }`;

/** Puts every router of the lab back to "no tunnel": connections, SAs, policies, routes, files. One SSH command per router. */
export async function resetVmRouters(lab: LabState): Promise<void> {
  await Promise.all(lab.routers.map((r) => resetRouter(lab, r)));
}

async function resetRouter(lab: LabState, r: RouterState): Promise<void> {
  const script = { libreswan: RESET_LIBRESWAN, "centos-racoon": RESET_CENTOS, strongswan: RESET_STRONGSWAN }[r.platform] + RESET_KERNEL;
  let out = await execInRouter(lab, r.name, ["sh", "-c", script], { timeoutMs: 60_000 });
  if (out.code === DAEMON_DOWN) {
    // A test stopped the IKE daemon (health: a dead charon): start it again, then reset.
    await startCharon(lab, r.name);
    out = await execInRouter(lab, r.name, ["sh", "-c", script], { timeoutMs: 60_000 });
  }
  if (out.code !== 0) throw new Error(`could not reset ${r.name} (exit ${out.code}): ${out.stderr.trim() || out.stdout.trim()}`);
}
