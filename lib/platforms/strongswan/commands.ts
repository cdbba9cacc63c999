// swanctl commands for a strongSwan router (vici over the default socket). --initiate and
// --rekey block until charon answers, so each carries a timeout instead of hanging SSH.
import type { Command, TunnelEnd } from "../contract";

// How long swanctl waits; charon keeps negotiating after that, and the verify step waits for the SA.
const TIMEOUT_SECONDS = "10";

export const loadAll = (): Command => ({ argv: ["swanctl", "--load-all"], description: "load connections and secrets from /etc/swanctl (unloads removed ones)" });

export function strongswanApplyCommands(end: TunnelEnd): Command[] {
  return [
    loadAll(),
    {
      argv: ["swanctl", "--initiate", "--child", end.connectionName, "--timeout", TIMEOUT_SECONDS],
      description: `establish ${end.connectionName} now`,
      // Fails when start_action already brought the child up ("existing duplicate"); status decides.
      allowFailure: true,
      needsPeer: true,
    },
  ];
}

export function strongswanTeardownCommands(end: TunnelEnd): Command[] {
  return [{ argv: ["swanctl", "--terminate", "--ike", end.connectionName, "--timeout", TIMEOUT_SECONDS], description: `close ${end.connectionName}`, allowFailure: true }];
}

/**
 * Reauthentication, not a plain rekey: only a new IKE SA authenticated with the new PSK
 * proves the key (a plain IKEv2 rekey keeps the old authentication; notes/router-lab.md).
 */
export function strongswanRotateCommands(end: TunnelEnd): Command[] {
  return [
    { argv: ["swanctl", "--load-creds"], description: "load the new pre-shared key" },
    { argv: ["swanctl", "--rekey", "--ike", end.connectionName, "--reauth"], description: `reauthenticate ${end.connectionName} with the new key` },
  ];
}

export function strongswanStatusCommands(): Command[] {
  return [
    { argv: ["swanctl", "--list-sas"], description: "IKE and CHILD SAs with traffic counters" },
    // kernel-libipsec installs its routes in table 220, which `ip route list` alone does not show.
    { argv: ["ip", "route", "list", "table", "all"], description: "routes of every table, including libipsec's table 220" },
  ];
}
