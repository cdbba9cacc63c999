// Renders a swanctl connection and its PSK for one tunnel end into /etc/swanctl/conf.d,
// which the stock swanctl.conf includes (`include conf.d/*.conf`), so `swanctl --load-all`
// picks both files up without touching the operator's swanctl.conf.
import { RenderError, type DhGroup, type EspEncryption, type RenderedFile, type TunnelEnd } from "../contract";
import { DH_GROUP_NAMES } from "../crypto-profiles";
import { assertTunnelEnd } from "../shared/assert-end";
import { AGGRESSIVE_PSK_PATH, AGGRESSIVE_PSK_SETTING } from "./aggressive-psk";

export const SWANCTL_CONF_D = "/etc/swanctl/conf.d";

// blowfish448 has no strongSwan keyword (its blowfish stops at 256 bits), so it is left out.
const ESP_ENC: Record<EspEncryption, string | null> = {
  "3des": "3des",
  blowfish448: null,
  rijndael: "aes128",
  aes128: "aes128",
  aes192: "aes192",
  aes256: "aes256",
};

const dh = (group: DhGroup) => DH_GROUP_NAMES[group];
const unique = (values: string[]) => [...new Set(values)];

// A tunnel that may answer aggressive mode brings the drop-in that allows it (aggressive-psk.ts),
// and `swanctl --reload-settings` loads it.
export { AGGRESSIVE_PSK_PATH, AGGRESSIVE_PSK_SETTING } from "./aggressive-psk";

/** The profile lets either end use IKEv1 aggressive mode (with a PSK: the only authentication Gatewarden renders). */
export const usesAggressivePsk = (end: TunnelEnd) => end.profile.ikeVersion === 1 && end.profile.exchangeModes.includes("aggressive");

export function renderAggressivePskSetting(): string {
  return [
    "# Managed by Gatewarden: a tunnel on this router uses a crypto profile with IKEv1",
    "# aggressive mode and a pre-shared key. charon refuses to answer that unless told so,",
    "# because the responder sends a hash of the PSK that anyone can ask for and crack",
    "# offline. The setting is router-wide: every aggressive-mode PSK peer of this router",
    "# is answered. Gatewarden writes this file only while such a tunnel is configured here.",
    "charon {",
    "  i_dont_care_about_security_and_use_aggressive_mode_psk = yes",
    "}",
    "",
  ].join("\n");
}

// Named after the connection, so a console's `ls` and `swanctl --list-conns` agree.
export const connectionPath = (end: TunnelEnd) => `${SWANCTL_CONF_D}/${end.connectionName}.conf`;
export const secretsPath = (end: TunnelEnd) => `${SWANCTL_CONF_D}/${end.connectionName}.secrets.conf`;

export function ikeProposal(end: TunnelEnd): string {
  const { ike } = end.profile;
  return `${ike.encryption}-${ike.integrity}-${dh(ike.dhGroup)}`;
}

/** One proposal listing every cipher and integrity choice: charon accepts any combination of them. */
export function espProposal(end: TunnelEnd): string {
  const { esp } = end.profile;
  const ciphers = unique(esp.encryption.map((e) => ESP_ENC[e]).filter((e): e is string => e !== null));
  if (ciphers.length === 0) {
    throw new RenderError(
      "unsupported",
      "profile.esp.encryption",
      "strongSwan cannot express any of the profile's ESP ciphers (Blowfish-448 has no strongSwan keyword)",
    );
  }
  const parts = [...ciphers, ...esp.integrity, ...(esp.pfsGroup === null ? [] : [dh(esp.pfsGroup)])];
  return parts.join("-");
}

/** Both routers do ESP in the kernel: transport mode and IPComp are available. */
const bothKernel = (end: TunnelEnd) => (end.local.ipsecStack ?? "kernel") === "kernel" && (end.remote.ipsecStack ?? "kernel") === "kernel";

/**
 * Host-to-host runs in transport mode (as the article's node-to-node tunnel and CentOS's
 * ifup do) where both routers' kernels do the ESP; libipsec has no transport mode, so
 * there it is tunnel mode between the two public /32s.
 */
export const childMode = (end: TunnelEnd): "transport" | "tunnel" =>
  end.kind === "host-to-host" && bothKernel(end) ? "transport" : "tunnel";

/** IPComp is offered when the profile asks for it and both kernels can do it. */
const offersIpcomp = (end: TunnelEnd) => end.profile.esp.compression !== null && bothKernel(end);

/** Traffic selectors: LAN subnets, or the two public /32s. */
function selectors(end: TunnelEnd): { local: string; remote: string } {
  if (end.kind === "host-to-host") return { local: `${end.local.publicIp}/32`, remote: `${end.remote.publicIp}/32` };
  return { local: end.local.subnets.join(","), remote: end.remote.subnets.join(",") };
}

export function renderConnection(end: TunnelEnd): string {
  const p = end.profile;
  const name = end.connectionName;
  const ts = selectors(end);
  const droppedCiphers = p.esp.encryption.filter((e) => ESP_ENC[e] === null);
  const v1 = p.ikeVersion === 1;
  return [
    `# Managed by Gatewarden (tunnel ${end.tunnelId}); edits are overwritten on the next deploy.`,
    ...(droppedCiphers.length ? [`# Not offered (no strongSwan keyword): ${droppedCiphers.join(", ")}.`] : []),
    ...(p.esp.compression && !offersIpcomp(end) ? ["# IPComp (deflate) not offered: kernel-libipsec does not implement it."] : []),
    ...(end.kind === "host-to-host" && childMode(end) === "tunnel"
      ? ["# Tunnel mode between the two hosts: kernel-libipsec has no transport mode."]
      : []),
    "connections {",
    `  ${name} {`,
    `    version = ${p.ikeVersion}`,
    `    local_addrs = ${end.local.publicIp}`,
    `    remote_addrs = ${end.remote.publicIp}`,
    `    proposals = ${ikeProposal(end)}`,
    // IKEv1 mode is chosen by the initiator's first preference; charon cannot offer both.
    ...(v1 ? [`    aggressive = ${p.exchangeModes[0] === "aggressive" ? "yes" : "no"}`] : []),
    // IKEv1 cannot rekey an IKE SA in place, so its lifetime is a reauthentication.
    v1 ? `    reauth_time = ${p.ikeLifetimeSeconds}s` : `    rekey_time = ${p.ikeLifetimeSeconds}s`,
    "    dpd_delay = 30s",
    "    local {",
    "      auth = psk",
    `      id = ${end.local.publicIp}`,
    "    }",
    "    remote {",
    "      auth = psk",
    `      id = ${end.remote.publicIp}`,
    "    }",
    "    children {",
    `      ${name} {`,
    `        local_ts = ${ts.local}`,
    `        remote_ts = ${ts.remote}`,
    `        esp_proposals = ${espProposal(end)}`,
    `        rekey_time = ${p.childLifetimeSeconds}s`,
    `        mode = ${childMode(end)}`,
    ...(offersIpcomp(end) ? ["        ipcomp = yes"] : []),
    // One end starts the tunnel (on load, at boot, after DPD); the other, a hub, only answers:
    // two initiating ends race into duplicate IKE SAs that charon then deletes.
    ...(end.initiates === false
      ? ["        start_action = none", "        dpd_action = clear"]
      : ["        start_action = start", "        dpd_action = restart"]),
    "      }",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * swanctl decodes secrets starting with 0x (hex) or 0s (base64), so such a PSK is written
 * hex-encoded to keep its bytes; every other PSK is a plain quoted string.
 */
export function swanctlSecretValue(psk: string): string {
  if (/^0[xs]/i.test(psk)) return `0x${[...psk].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("")}`;
  return `"${psk}"`;
}

export function renderSecrets(end: TunnelEnd): string {
  return [
    `# Managed by Gatewarden (tunnel ${end.tunnelId}): pre-shared key, mode 0600.`,
    "secrets {",
    `  ike-${end.connectionName} {`,
    `    id-1 = ${end.local.publicIp}`,
    `    id-2 = ${end.remote.publicIp}`,
    `    secret = ${swanctlSecretValue(end.psk)}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

export function renderStrongswanFiles(end: TunnelEnd): RenderedFile[] {
  assertTunnelEnd(end);
  return [
    { path: connectionPath(end), content: renderConnection(end), mode: 0o644, secret: false, scope: "tunnel" },
    { path: secretsPath(end), content: renderSecrets(end), mode: 0o600, secret: true, scope: "tunnel" },
    ...(usesAggressivePsk(end)
      ? [
          {
            path: AGGRESSIVE_PSK_PATH,
            content: renderAggressivePskSetting(),
            mode: 0o644,
            secret: false,
            scope: "gateway" as const,
            note: `non-default strongSwan setting ${AGGRESSIVE_PSK_SETTING} = yes: stock charon refuses to answer aggressive mode with a PSK`,
          },
        ]
      : []),
  ];
}
