// `ipsec` commands for a Libreswan router (4.x; 5.x still runs `ipsec auto` with a
// deprecation warning). FACTS.md, section Commands, says what each one does in pluto.
import type { Command, KeySwitchCommands, TunnelEnd } from "../contract";
import { connectionPath } from "./render";
import { daemonLogCommands } from "../daemon-log";

const rereadSecrets = (description: string): Command => ({ argv: ["ipsec", "auto", "--rereadsecrets"], description, scope: "router" });

const add = (end: TunnelEnd): Command => ({
  argv: ["ipsec", "auto", "--add", end.connectionName],
  // addconn replaces a loaded conn: that closes the tunnel's SAs until --up.
  description: `load ${end.connectionName} from ${connectionPath(end)} (replaces the loaded definition and closes its SAs)`,
});

/**
 * --asynchronous: whack would otherwise wait for the whole negotiation (a minute of
 * retransmits against a silent peer); the status shows when the tunnel is up.
 */
const up = (end: TunnelEnd): Command => ({
  argv: ["ipsec", "auto", "--asynchronous", "--up", end.connectionName],
  description: `establish ${end.connectionName} now (returns at once; the status shows when it is up)`,
  allowFailure: true,
  needsPeer: true,
});

const down = (end: TunnelEnd): Command => ({
  argv: ["ipsec", "auto", "--down", end.connectionName],
  description: `close the SAs of ${end.connectionName} (the connection stays loaded)`,
});

export function libreswanApplyCommands(end: TunnelEnd): Command[] {
  return [add(end), rereadSecrets("load every pre-shared key from /etc/ipsec.secrets and /etc/ipsec.d/*.secrets"), up(end)];
}

export function libreswanTeardownCommands(end: TunnelEnd): Command[] {
  return [
    {
      argv: ["ipsec", "auto", "--delete", end.connectionName],
      description: `close ${end.connectionName} and unload it`,
      // Fails when the connection is not loaded (never applied, or pluto restarted without its file).
      allowFailure: true,
    },
  ];
}

export function libreswanReloadCommands(): Command[] {
  return [rereadSecrets("forget the pre-shared keys whose files were removed")];
}

/**
 * Libreswan cannot reauthenticate an IKE SA on demand: --rekey-ike keeps the old
 * authentication and --up reuses an established IKE SA (FACTS.md). So the tunnel goes
 * down and up again, and the new IKE SA authenticates with the key reread from disk.
 * The stop must not fail silently: a surviving old SA would be reused by the start.
 */
export const libreswanKeySwitch: KeySwitchCommands = {
  load: () => [rereadSecrets("load the new pre-shared key (running SAs keep theirs)")],
  reauthenticate: () => [],
  stop: (end) => [down(end)],
  start: (end) => [{ ...up(end), needsPeer: false }],
};

const showStates = (): Command => ({
  argv: ["ipsec", "whack", "--showstates"],
  description: "IKE and IPsec SAs of every connection, with their SPIs and timers",
});
const trafficStatus = (): Command => ({
  argv: ["ipsec", "whack", "--trafficstatus"],
  description: "byte counters of every established IPsec SA",
});
// nokeys: plain `ip xfrm state` prints the ESP keys.
const xfrmStates = (): Command => ({
  argv: ["ip", "-s", "xfrm", "state", "list", "nokeys"],
  description: "kernel SAs with SPIs and byte/packet counters (keys hidden)",
});

export function libreswanSaListCommands(): Command[] {
  return [showStates(), trafficStatus(), xfrmStates()];
}

export function libreswanStatusCommands(): Command[] {
  return [
    ...libreswanSaListCommands(),
    {
      argv: ["ip", "route", "list", "table", "all"],
      description: "routes of every table: leftsourceip= makes Libreswan add one to the remote network",
    },
  ];
}

/** Read-only: pluto's recent log, where it may be (journald, its own log file, syslog's auth log); all may fail. */
export function libreswanFailureLogCommands(): Command[] {
  return daemonLogCommands({
    daemon: "pluto",
    identifiers: ["pluto"],
    files: ["/var/log/pluto.log", "/var/log/secure", "/var/log/auth.log"],
    filesAre: "its log file or syslog's auth log",
  });
}
