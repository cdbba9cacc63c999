// What the recordings need from a Libreswan VM router beyond the platform's own commands:
// a clean pluto before each case (the lab stays up for all of them: a VM boot costs half a
// minute), and pluto killed as a power loss would stop it.
import type { Rig } from "./lab-tunnels";

const PID = "/run/pluto/pluto.pid";

const STOP = `pid=$(cat ${PID} 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  ipsec whack --shutdown >/dev/null 2>&1
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -f ${PID} /run/pluto/pluto.ctl`;
const START = `/usr/libexec/ipsec/pluto --config /etc/ipsec.conf --logfile /gw/ike.log || exit 1
while ! [ -S /run/pluto/pluto.ctl ]; do sleep 0.1; done`;

/**
 * pluto stopped (it deletes its SAs and runs _updown), whatever a killed pluto left behind
 * removed (its SAs, policies, routes to the other sites, lock files), the tunnels' files
 * and any ikev1-policy line gone (the stock /etc/ipsec.conf has none), its log emptied, and
 * pluto started again: serial numbers count from #1 as after a boot.
 */
const RESET = `${STOP}
rm -f /etc/ipsec.d/gw-*.conf /etc/ipsec.d/gw-*.secrets
sed -i '/^[[:space:]]*ikev1-policy=/d' /etc/ipsec.conf || exit 1
ip xfrm state flush && ip xfrm policy flush || exit 1
for cidr in "$@"; do ip route del "$cidr" 2>/dev/null; done
: > /gw/ike.log
${START}`;

/** What installNotes() asks of an operator before IKEv1 tunnels: ikev1-policy=accept in config setup, then a restart. */
const ACCEPT_IKEV1 = `sed -i 's/^config setup$/config setup\\n\\tikev1-policy=accept/' /etc/ipsec.conf || exit 1
grep -q '^[[:space:]]ikev1-policy=accept$' /etc/ipsec.conf || exit 1
${STOP}
${START}`;

export async function resetLibreswanRouter(rig: Rig, router: string): Promise<void> {
  const otherLans = rig.lab.routers.filter((r) => r.name !== router).map((r) => r.lanCidr);
  const r = await rig.exec(router, ["sh", "-c", RESET, "reset", ...otherLans], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${router}: resetting pluto failed: ${(r.stderr || r.stdout).trim()}`);
}

export async function acceptIkev1(rig: Rig, router: string): Promise<void> {
  const r = await rig.exec(router, ["sh", "-c", ACCEPT_IKEV1], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${router}: setting ikev1-policy=accept failed: ${(r.stderr || r.stdout).trim()}`);
  rig.step(`${router}: ikev1-policy=accept added to config setup in /etc/ipsec.conf, pluto restarted`);
}

/** SIGKILL: pluto sends no DELETE and runs no _updown; its SAs, policies and routes stay in the kernel. */
export async function killPluto(rig: Rig, router: string): Promise<void> {
  const r = await rig.exec(router, [
    "sh",
    "-c",
    `pid=$(cat ${PID}) && kill -9 "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done && echo "$pid"`,
  ]);
  if (r.exitCode !== 0) throw new Error(`${router}: could not kill pluto: ${(r.stderr ?? "").trim()}`);
  rig.step(`${router}: pluto killed (SIGKILL, pid ${r.stdout.trim()})`);
}
