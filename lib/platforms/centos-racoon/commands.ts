// Commands for a CentOS initscripts router: ifup/ifdown drive racoon, the policies and the
// route; the kernel's SAD (`setkey -D`) shows whether the tunnel is up (FACTS.md).
import type { Command, KeySwitchCommands, TunnelEnd } from "../contract";
import { forgetPskScriptPath, PSK_TXT, remoteConfPath, SYSCTL_DROP_IN } from "./render";
import { daemonLogCommands } from "../daemon-log";

const ifdown = (end: TunnelEnd, description: string): Command => ({
  argv: ["/sbin/ifdown", end.interfaceName],
  description,
  allowFailure: true,
});

// ifup returns at once with racoon's start or reload status (0 whatever racoon then makes
// of its files: FACTS.md), so its exit code proves nothing; the SAs in the kernel do.
const ifup = (end: TunnelEnd, description: string): Command => ({
  argv: ["/sbin/ifup", end.interfaceName],
  description,
});

/**
 * racoon negotiates on demand, when a packet hits ifup's `require` policy (the kernel's
 * acquire): one ping the policy covers starts it. The first packets are dropped while it
 * negotiates, so the exit code is not a verdict; the status (kernel SAs) is.
 */
export const centosTrafficTrigger = (end: TunnelEnd): Command => ({
  argv:
    end.kind === "net-to-net"
      ? ["ping", "-n", "-q", "-c", "2", "-i", "0.5", "-W", "1", "-I", end.local.lanAddress!, end.remote.lanAddress!]
      : ["ping", "-n", "-q", "-c", "2", "-i", "0.5", "-W", "1", end.remote.publicIp],
  description: `send traffic ${end.kind === "net-to-net" ? `${end.local.lanAddress} → ${end.remote.lanAddress}` : `to ${end.remote.publicIp}`} through ${end.interfaceName}'s policy: racoon negotiates when a packet needs the SA`,
  allowFailure: true,
  needsPeer: true,
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
    centosTrafficTrigger(end),
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
  // The proof is new SPIs in the kernel's SAD afterwards (kernel-sas.ts), never ifup's exit code.
  start: (end) => [ifup(end, `start ${end.interfaceName} with the new key`), { ...centosTrafficTrigger(end), needsPeer: false }],
};

/** What a CentOS router can be asked about its tunnels, each read by parseCentosStatus. */
export type CentosStatusSource = "ip-route" | "xfrm-state" | "setkey-sad";

const STATUS_COMMANDS: Record<CentosStatusSource, Command> = {
  // Text, not -json: CentOS 6's iproute2 has no JSON output.
  "ip-route": {
    argv: ["ip", "route", "list", "table", "all"],
    description: "routes of every table: ifup's `DSTNET via SRCGW` shows the tunnel is configured",
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
 * What centosStatusCommands() runs, in order, and parseCentosStatus reads: what a real
 * CentOS router has (FACTS.md, "Status on a real router"). ifup's route shows it ran
 * (net-to-net only); the kernel's SAs, with their ages, decide.
 */
export const CENTOS_STATUS_SOURCES: readonly CentosStatusSource[] = ["ip-route", "setkey-sad"];
/** The part of the status a key-switch proof needs (the SAs). */
export const CENTOS_SA_LIST_SOURCES: readonly CentosStatusSource[] = ["setkey-sad"];

export const centosStatusCommandsFor = (sources: readonly CentosStatusSource[]): Command[] => sources.map((s) => STATUS_COMMANDS[s]);

export function centosStatusCommands(): Command[] {
  return centosStatusCommandsFor(CENTOS_STATUS_SOURCES);
}

export function centosSaListCommands(): Command[] {
  return centosStatusCommandsFor(CENTOS_SA_LIST_SOURCES);
}

/** Read-only: racoon's recent log, where it may be (journald, its own -l file, syslog's messages); all may fail. */
export function centosFailureLogCommands(): Command[] {
  return daemonLogCommands({
    daemon: "racoon",
    identifiers: ["racoon"],
    files: ["/var/log/racoon.log", "/var/log/messages"],
    filesAre: "its log file or syslog's messages",
  });
}
