// swanctl commands for a strongSwan router (vici over the default socket). --initiate and
// --rekey block until charon answers, so each carries a timeout instead of hanging SSH.
import type { Command, KeySwitchCommands, TunnelEnd } from "../contract";
import { AGGRESSIVE_PSK_PATH, usesAggressivePsk } from "./render";
import { daemonLogCommands } from "../daemon-log";

// How long swanctl waits; charon keeps negotiating after that, and the verify step waits for the SA.
const TIMEOUT_SECONDS = "10";

const loadAll = (description: string): Command => ({ argv: ["swanctl", "--load-all"], description, scope: "router" });

const initiate = (end: TunnelEnd): Command => ({
  argv: ["swanctl", "--initiate", "--child", end.connectionName, "--timeout", TIMEOUT_SECONDS],
  description: `establish ${end.connectionName} now`,
  // Fails when start_action already brought the child up ("existing duplicate"); status decides.
  allowFailure: true,
  needsPeer: true,
});

const terminate = (end: TunnelEnd): Command => ({
  argv: ["swanctl", "--terminate", "--ike", end.connectionName, "--timeout", TIMEOUT_SECONDS],
  description: `close ${end.connectionName}`,
  allowFailure: true,
});

// charon reads strongswan.conf (and strongswan.d/*.conf) at start; this reloads it in place.
const reloadSettings = (): Command => ({
  argv: ["swanctl", "--reload-settings"],
  description: `reload strongswan.conf, which now includes ${AGGRESSIVE_PSK_PATH}`,
  scope: "router",
});

/**
 * Loading is all an end Gatewarden rendered needs: the initiating end's `start_action = start`
 * starts the child as it loads (an --initiate after it only finds an "existing duplicate"),
 * and the answering end must not initiate. An end that does not say which it is starts both ways.
 */
export function strongswanApplyCommands(end: TunnelEnd): Command[] {
  return [
    ...(usesAggressivePsk(end) ? [reloadSettings()] : []),
    loadAll(
      end.initiates === true
        ? "load connections and secrets from /etc/swanctl (unloads removed ones); start_action = start initiates this end's tunnel"
        : "load connections and secrets from /etc/swanctl (unloads removed ones)",
    ),
    ...(end.initiates === undefined ? [initiate(end)] : []),
  ];
}

export function strongswanTeardownCommands(end: TunnelEnd): Command[] {
  return [terminate(end)];
}

export function strongswanReloadCommands(): Command[] {
  return [loadAll("unload the removed connections")];
}

/**
 * Reauthentication, not a plain rekey: only a new IKE SA authenticated with the new PSK
 * proves the key (a plain IKEv2 rekey keeps the old authentication; notes/router-lab.md).
 */
export const strongswanKeySwitch: KeySwitchCommands = {
  load: () => [{ argv: ["swanctl", "--load-creds"], description: "load the new pre-shared key", scope: "router" }],
  reauthenticate: (end) => [
    {
      argv: ["swanctl", "--rekey", "--ike", end.connectionName, "--reauth"],
      description: `reauthenticate ${end.connectionName} with the new key`,
    },
  ],
  stop: (end) => [terminate(end)],
  start: (end) => [{ ...initiate(end), needsPeer: false }],
};

// vici's raw dump rather than the human listing: its keys are the protocol, stable across releases.
const listSas = (): Command => ({
  argv: ["swanctl", "--list-sas", "--raw"],
  description: "IKE and CHILD SAs with traffic counters (vici's raw format)",
});

/** The router does its ESP in the kernel (XFRM), not in charon's userspace libipsec. */
export const kernelIpsec = (end: TunnelEnd) => (end.local.ipsecStack ?? "kernel") === "kernel";

export function strongswanStatusCommands(end: TunnelEnd): Command[] {
  return [
    listSas(),
    // kernel-libipsec installs its routes in table 220, which `ip route list` alone does not show.
    {
      argv: ["ip", "-json", "route", "list", "table", "all"],
      description: "routes of every table as JSON, including libipsec's table 220",
    },
    // Where the kernel does the ESP, its SAs are the truth charon's listing must agree with.
    ...(kernelIpsec(end)
      ? [
          {
            argv: ["ip", "-s", "xfrm", "state", "list", "nokeys"],
            description: "the kernel's SAs (XFRM) with their counters, without keys",
          },
        ]
      : []),
  ];
}

/**
 * charon's recent log, where it says why an IKE SA failed (AUTHENTICATION_FAILED). Read
 * from journald on systemd routers and from a charon filelog where one is configured
 * (/var/log/charon.log; /run/charon.log on the lab's routers); either may be missing.
 */
export function strongswanFailureLogCommands(): Command[] {
  return daemonLogCommands({
    daemon: "charon",
    identifiers: ["charon", "charon-systemd"],
    files: ["/var/log/charon.log", "/run/charon.log"],
    filesAre: "its log file",
  });
}

export function strongswanSaListCommands(): Command[] {
  return [listSas()];
}
