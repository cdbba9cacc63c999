// Commands for a CentOS initscripts router: ifup/ifdown drive racoon and the route, and
// `ip route` shows whether the tunnel is configured (see DESIGN.md, ifup-ipsec facts).
import type { Command, KeySwitchCommands, TunnelEnd } from "../contract";
import { forgetPskScriptPath, PSK_TXT, remoteConfPath, SYSCTL_DROP_IN } from "./render";

const ifdown = (end: TunnelEnd, description: string): Command => ({
  argv: ["/sbin/ifdown", end.interfaceName],
  description,
  allowFailure: true,
});

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
    commands.push({
      argv: ["/sbin/sysctl", "-p", SYSCTL_DROP_IN],
      description: "enable IP forwarding between LAN and tunnel",
      scope: "router",
    });
  }
  commands.push(
    // ifdown fails when the tunnel was never up; that is the normal first deploy.
    ifdown(end, `stop ${end.interfaceName} so ifup rereads the files`),
    {
      // -c: a missing file stays missing (ifup then writes its own), never an empty one ifup would keep.
      argv: ["touch", "-c", remoteConfPath(end)],
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

/** What a CentOS router can be asked about its tunnels, each read by parseCentosStatus. */
export type CentosStatusSource = "ip-route" | "swanctl-sas" | "xfrm-state" | "setkey-sad";

const STATUS_COMMANDS: Record<CentosStatusSource, Command> = {
  // Text, not -json: CentOS 6's iproute2 has no JSON output.
  "ip-route": {
    argv: ["ip", "route", "list", "table", "all"],
    description: "routes of every table: ifup's `DSTNET via SRCGW` shows the tunnel is configured",
  },
  // Real racoon routers have no swanctl; the lab's emulation does. Its SA list is a bonus.
  "swanctl-sas": {
    argv: ["swanctl", "--list-sas", "--raw"],
    description: "IKE/CHILD SAs when strongSwan is present (lab emulation), in vici's raw format",
    allowFailure: true,
  },
  // iproute2 before 5.1 (CentOS 6 and 7) has no `nokeys`: the output holds the SA keys, which the parser drops.
  "xfrm-state": {
    argv: ["ip", "-s", "xfrm", "state"],
    description: "the kernel's SAs: SPIs, mode, counters and add time (prints the SA keys; only names and numbers are kept)",
  },
  "setkey-sad": {
    argv: ["setkey", "-D"],
    description: "the kernel's SAD through PF_KEY with each SA's age (prints the SA keys; only names and numbers are kept)",
  },
};

/**
 * What centosStatusCommands() runs, in order, and parseCentosStatus reads. The lab's
 * emulation answers swanctl; a real CentOS router answers the kernel sources (FACTS.md,
 * "Status on a real router"), which replace it once the lab's CentOS routers run them.
 */
export const CENTOS_STATUS_SOURCES: readonly CentosStatusSource[] = ["ip-route", "swanctl-sas"];
/** The part of the status a key-switch proof needs (the SAs). */
export const CENTOS_SA_LIST_SOURCES: readonly CentosStatusSource[] = ["swanctl-sas"];

export const centosStatusCommandsFor = (sources: readonly CentosStatusSource[]): Command[] => sources.map((s) => STATUS_COMMANDS[s]);

export function centosStatusCommands(): Command[] {
  return centosStatusCommandsFor(CENTOS_STATUS_SOURCES);
}

export function centosSaListCommands(): Command[] {
  return centosStatusCommandsFor(CENTOS_SA_LIST_SOURCES);
}
