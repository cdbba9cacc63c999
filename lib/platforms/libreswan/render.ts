// Renders one Libreswan connection and its PSK into /etc/ipsec.d, which the stock
// /etc/ipsec.conf and /etc/ipsec.secrets include (`include /etc/ipsec.d/*.conf`,
// `*.secrets`), so `ipsec auto --add` and `--rereadsecrets` find them without touching
// the operator's main files. Keywords are Libreswan 4.x syntax that 5.x still reads
// (FACTS.md).
import { RenderError, type RenderedFile, type TunnelEnd } from "../contract";
import { cidrContains } from "@/lib/domain/ip";
import { assertTunnelEnd } from "../shared/assert-end";
import { oneSubnetAdvice } from "../shared/covering-network";
import { droppedEspCiphers, espProposal, ikeProposal, libreswanProfileProblems } from "./algorithms";

export const IPSEC_D = "/etc/ipsec.d";

export const connectionPath = (end: TunnelEnd) => `${IPSEC_D}/${end.connectionName}.conf`;
export const secretsPath = (end: TunnelEnd) => `${IPSEC_D}/${end.connectionName}.secrets`;

function assertRenderable(end: TunnelEnd): void {
  assertTunnelEnd(end);
  const [problem] = libreswanProfileProblems(end.profile);
  if (problem) throw new RenderError("unsupported", problem.field, problem.message);
  if (end.kind !== "net-to-net") return;
  for (const side of ["local", "remote"] as const) {
    if (end[side].subnets.length !== 1) {
      throw new RenderError(
        "unsupported",
        `${side}.subnets`,
        `Gatewarden renders one subnet per side for Libreswan (leftsubnets= would split the tunnel into one connection per subnet pair) and one tunnel per gateway pair: the ${side} side has ${end[side].subnets.length}. ${oneSubnetAdvice(end[side].subnets)}`,
      );
    }
  }
  const lan = end.local.lanAddress;
  if (lan === null || !cidrContains(end.local.subnets[0]!, lan)) {
    throw new RenderError(
      "invalid-input",
      "local.lanAddress",
      `net-to-net on Libreswan needs this router's LAN address inside ${end.local.subnets[0]} (leftsourceip=): without it Libreswan adds no route to the remote network`,
    );
  }
}

/** The `conn` lines that differ between the two kinds of tunnel. */
function trafficLines(end: TunnelEnd): string[] {
  if (end.kind === "host-to-host") return ["type=transport"];
  return [
    "type=tunnel",
    `leftsubnet=${end.local.subnets[0]}`,
    // The gateway's own address towards the remote LAN: _updown adds the route to rightsubnet with it.
    `leftsourceip=${end.local.lanAddress}`,
    `rightsubnet=${end.remote.subnets[0]}`,
  ];
}

function versionLines(end: TunnelEnd): string[] {
  const p = end.profile;
  // `insist` means IKEv2 only in 3.x, 4.x and 5.x; 5.x's keyexchange=ikev2 is unknown to 4.x.
  if (p.ikeVersion === 2) return ["ikev2=insist"];
  // IKEv1 picks its mode from the initiator's first preference: Libreswan cannot offer both.
  return ["ikev2=no", `aggressive=${p.exchangeModes[0] === "aggressive" ? "yes" : "no"}`];
}

export function renderConnection(end: TunnelEnd): string {
  const p = end.profile;
  const dropped = droppedEspCiphers(p);
  const lines = [
    ...versionLines(end),
    "authby=secret",
    `left=${end.local.publicIp}`,
    `leftid=${end.local.publicIp}`,
    `right=${end.remote.publicIp}`,
    `rightid=${end.remote.publicIp}`,
    ...trafficLines(end),
    `ike=${ikeProposal(p)}`,
    `esp=${espProposal(p)}`,
    ...(p.esp.pfsGroup === null ? ["pfs=no"] : []),
    ...(p.esp.compression ? ["compress=yes"] : []),
    `ikelifetime=${p.ikeLifetimeSeconds}s`,
    `salifetime=${p.childLifetimeSeconds}s`,
    // `ipsec auto --add` ignores auto=; pluto's own start-up (addconn --autoall) starts the
    // tunnel, so a rebooted router renegotiates without an operator. Deploys initiate themselves.
    // The answering end (a hub) only loads it: one end starts a tunnel, never both.
    end.initiates === false ? "auto=add" : "auto=start",
  ];
  return [
    `# Managed by Gatewarden (tunnel ${end.tunnelId}); edits are overwritten on the next deploy.`,
    ...(dropped.length ? [`# Not offered (Libreswan has no such cipher): ${dropped.join(", ")}.`] : []),
    // Router-wide, so not ours to write: without it `ipsec auto --add` fails with "global ikev1-policy does not allow IKEv1 connections".
    ...(p.ikeVersion === 1
      ? [
          "# IKEv1: pluto loads this conn only with ikev1-policy=accept in the config setup section of /etc/ipsec.conf (Libreswan 5 defaults to drop).",
        ]
      : []),
    `conn ${end.connectionName}`,
    ...lines.map((l) => `\t${l}`),
    "",
  ].join("\n");
}

/** Both IDs index the entry, so the same line would do on the peer; the quoted PSK is read byte for byte. */
export function renderSecrets(end: TunnelEnd): string {
  return [
    `# Managed by Gatewarden (tunnel ${end.tunnelId}): pre-shared key of ${end.connectionName}, mode 0600.`,
    `${end.local.publicIp} ${end.remote.publicIp} : PSK "${end.psk}"`,
    "",
  ].join("\n");
}

export function renderLibreswanFiles(end: TunnelEnd): RenderedFile[] {
  assertRenderable(end);
  return [
    { path: connectionPath(end), content: renderConnection(end), mode: 0o644, secret: false, scope: "tunnel" },
    { path: secretsPath(end), content: renderSecrets(end), mode: 0o600, secret: true, scope: "tunnel" },
  ];
}
