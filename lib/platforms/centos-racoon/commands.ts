// Commands for a CentOS initscripts router: ifup/ifdown drive racoon and the route, and
// `ip route` shows whether the tunnel is configured (see DESIGN.md, ifup-ipsec facts).
import type { Command, KeySwitchCommands, TunnelEnd } from "../contract";
import { forgetPskScriptPath, PSK_TXT, remoteConfPath, SYSCTL_DROP_IN } from "./render";

const ifdown = (end: TunnelEnd, description: string): Command => ({ argv: ["/sbin/ifdown", end.interfaceName], description, allowFailure: true });

const ifup = (end: TunnelEnd, description: string): Command => ({
  argv: ["/sbin/ifup", end.interfaceName],
  description,
  // The lab's ifup emulation waits for an SA and exits 2 when none comes; while the peer
  // is configured next that is expected.
  expectedExits: [{ code: 2, when: "peer-pending", meaning: "tunnel not up yet: its peer is configured next" }],
});

export function centosApplyCommands(end: TunnelEnd): Command[] {
  const commands: Command[] = [];
  if (end.kind === "net-to-net") {
    commands.push({ argv: ["/sbin/sysctl", "-p", SYSCTL_DROP_IN], description: "enable IP forwarding between LAN and tunnel", scope: "router" });
  }
  commands.push(
    // ifdown fails when the tunnel was never up; that is the normal first deploy.
    ifdown(end, `stop ${end.interfaceName} so ifup rereads the files`),
    {
      argv: ["touch", remoteConfPath(end)],
      description: `keep ${remoteConfPath(end)} newer than ifcfg-${end.interfaceName}: ifup-ipsec rewrites it (with exchange_mode aggressive, main) only when it is missing or older`,
    },
    ifup(end, `bring ${end.interfaceName} up: writes psk.txt, installs the policies, adds the route, starts or reloads racoon`),
  );
  return commands;
}

/**
 * ifdown removes the route, the policies and racoon's include but keeps the peer's
 * psk.txt line (and <DST>.conf, a tunnel file the deploy layer removes next): the pushed
 * sed script deletes the line. It may fail on a tunnel deployed before the script existed
 * (exit 4: no script) or a router without psk.txt (exit 2); the log shows it.
 */
export function centosTeardownCommands(end: TunnelEnd): Command[] {
  return [
    ifdown(end, `stop ${end.interfaceName} and remove its route`),
    {
      argv: ["sed", "-i", "-f", forgetPskScriptPath(end), PSK_TXT],
      description: `delete ${end.remote.publicIp}'s pre-shared key from ${PSK_TXT} (ifdown keeps it)`,
      allowFailure: true,
    },
  ];
}

/** ifup rewrites psk.txt from keys-ipsecN, so a new key takes effect only by cycling the interface. */
export const centosKeySwitch: KeySwitchCommands = {
  load: () => [],
  reauthenticate: () => [],
  stop: (end) => [ifdown(end, `stop ${end.interfaceName} (old key)`)],
  start: (end) => [ifup(end, `start ${end.interfaceName} with the new key`)],
};

const listSas = (): Command => ({ argv: ["swanctl", "--list-sas", "--raw"], description: "IKE/CHILD SAs when strongSwan is present (lab emulation), in vici's raw format", allowFailure: true });

export function centosStatusCommands(): Command[] {
  return [
    // Text, not -json: CentOS 6's iproute2 has no JSON output.
    { argv: ["ip", "route", "list", "table", "all"], description: "routes of every table: ifup's `DSTNET via SRCGW` shows the tunnel is configured" },
    // Real racoon routers have no swanctl; the lab's emulation does. Its SA list is a bonus.
    listSas(),
  ];
}

export function centosSaListCommands(): Command[] {
  return [listSas()];
}
