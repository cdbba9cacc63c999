// Commands for a CentOS initscripts router: ifup/ifdown drive racoon and the route, and
// `ip route` shows whether the tunnel is configured (see DESIGN.md, ifup-ipsec facts).
import type { Command, TunnelEnd } from "../contract";
import { SYSCTL_DROP_IN } from "./render";

export function centosApplyCommands(end: TunnelEnd): Command[] {
  const commands: Command[] = [];
  if (end.kind === "net-to-net") {
    commands.push({ argv: ["/sbin/sysctl", "-p", SYSCTL_DROP_IN], description: "enable IP forwarding between LAN and tunnel" });
  }
  commands.push(
    // ifdown fails when the tunnel was never up; that is the normal first deploy.
    { argv: ["/sbin/ifdown", end.interfaceName], description: `stop ${end.interfaceName} so ifup rereads the files`, allowFailure: true },
    { argv: ["/sbin/ifup", end.interfaceName], description: `bring ${end.interfaceName} up: writes racoon's remote block and psk.txt, adds the route` },
  );
  return commands;
}

export function centosTeardownCommands(end: TunnelEnd): Command[] {
  return [{ argv: ["/sbin/ifdown", end.interfaceName], description: `stop ${end.interfaceName} and remove its route`, allowFailure: true }];
}

/** ifup rewrites psk.txt from keys-ipsecN, so a new key takes effect by cycling the interface. */
export function centosRotateCommands(end: TunnelEnd): Command[] {
  return [
    { argv: ["/sbin/ifdown", end.interfaceName], description: `stop ${end.interfaceName} (old key)`, allowFailure: true },
    { argv: ["/sbin/ifup", end.interfaceName], description: `start ${end.interfaceName} with the new key` },
  ];
}

export function centosStatusCommands(): Command[] {
  return [
    { argv: ["ip", "route", "list", "table", "all"], description: "routes of every table: ifup's `DSTNET via SRCGW` shows the tunnel is configured" },
    // Real racoon routers have no swanctl; the lab's emulation does. Its SA list is a bonus.
    { argv: ["swanctl", "--list-sas"], description: "IKE/CHILD SAs when strongSwan is present (lab emulation)", allowFailure: true },
  ];
}
