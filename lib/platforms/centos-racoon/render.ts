// Renders the article's CentOS files for one tunnel end: ifcfg-ipsecN, keys-ipsecN,
// racoon.conf (Listings 1, 2, 4, 6, 7), the peer's remote block <DST>.conf (Listings 3/8)
// and, for net-to-net, a sysctl drop-in; plus a preview of what `ifup ipsecN` adds (psk.txt).
import { RenderError, type CryptoProfile, type EspEncryption, type IkeEncryption, type RenderedFile, type TunnelEnd } from "../contract";
import { cidrContains } from "@/lib/domain/ip";
import { assertTunnelEnd } from "../shared/assert-end";
import { oneSubnetAdvice } from "../shared/covering-network";
import { centosProfileProblems } from "./profile-problems";

export const NETWORK_SCRIPTS = "/etc/sysconfig/network-scripts";
export const RACOON_CONF = "/etc/racoon/racoon.conf";
export const PSK_TXT = "/etc/racoon/psk.txt";
export const SYSCTL_DROP_IN = "/etc/sysctl.d/90-gatewarden-ipsec.conf";

// The values initscripts' ifup-ipsec uses when a variable is absent.
const DEFAULTS = { IKE_ENC: "3des", IKE_AUTH: "sha1", IKE_DHGROUP: "2" };
const IKE_ENC: Record<IkeEncryption, string> = { "3des": "3des", aes128: "aes", aes192: "aes 192", aes256: "aes 256" };
const ESP_ENC: Record<EspEncryption, string> = {
  "3des": "3des",
  blowfish448: "blowfish 448",
  rijndael: "rijndael",
  aes128: "aes 128",
  aes192: "aes 192",
  aes256: "aes 256",
};

const file = (path: string, content: string, secret = false, scope: RenderedFile["scope"] = "tunnel"): RenderedFile => ({
  path,
  content,
  mode: secret ? 0o600 : 0o644,
  secret,
  scope,
});

/** Quotes only when bash would otherwise split the value (the allow-lists leave spaces as the only case). */
const shellValue = (value: string) => (/^[A-Za-z0-9._/:,+=@%^-]+$/.test(value) ? value : `"${value}"`);

/** racoon's `lifetime time N unit;` with the largest unit that divides exactly. */
export function racoonLifetime(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} sec`;
}

function assertRenderable(end: TunnelEnd): void {
  assertTunnelEnd(end);
  const [problem] = centosProfileProblems(end.profile);
  if (problem) throw new RenderError("unsupported", problem.field, problem.message);
  // racoon's getpsk() decodes keys that start with 0x as hex: the peer would derive another key.
  if (/^0[xX]/.test(end.psk)) {
    throw new RenderError("invalid-input", "psk", "racoon reads a pre-shared key starting with 0x as hex; generate another key");
  }
  if (end.kind === "net-to-net") {
    for (const side of ["local", "remote"] as const) {
      const s = end[side];
      if (s.subnets.length !== 1) {
        // A second tunnel for another subnet pair is no way out: ifup keeps one psk.txt line
        // and one /etc/racoon/<peer>.conf per peer address, and Gatewarden one tunnel per gateway pair.
        throw new RenderError(
          "unsupported",
          `${side}.subnets`,
          `CentOS ifcfg-ipsecN carries one SRCNET/DSTNET, and a CentOS router has one tunnel per peer (one psk.txt line and one /etc/racoon/<peer>.conf per peer address): the ${side} side needs exactly one subnet (has ${s.subnets.length}). ${oneSubnetAdvice(s.subnets)}`,
        );
      }
      if (s.lanAddress === null || !cidrContains(s.subnets[0]!, s.lanAddress)) {
        throw new RenderError(
          "invalid-input",
          `${side}.lanAddress`,
          `net-to-net needs the ${side} router's LAN address inside ${s.subnets[0]} (${side === "local" ? "SRCGW" : "DSTGW"})`,
        );
      }
    }
  }
}

export function renderIfcfg(end: TunnelEnd): string {
  const p = end.profile;
  const vars: [string, string][] = [
    ["TYPE", "IPSEC"],
    ["ONBOOT", "yes"],
    ["IKE_METHOD", "PSK"],
    ["SRC", end.local.publicIp],
    ["DST", end.remote.publicIp],
  ];
  if (end.kind === "net-to-net") {
    vars.push(
      ["SRCGW", end.local.lanAddress!],
      ["DSTGW", end.remote.lanAddress!],
      ["SRCNET", end.local.subnets[0]!],
      ["DSTNET", end.remote.subnets[0]!],
    );
  }
  const algorithms: [keyof typeof DEFAULTS, string][] = [
    ["IKE_ENC", IKE_ENC[p.ike.encryption]],
    ["IKE_AUTH", p.ike.integrity],
    ["IKE_DHGROUP", String(p.ike.dhGroup)],
  ];
  for (const [key, value] of algorithms) if (value !== DEFAULTS[key]) vars.push([key, value]);
  vars.push(["AH_PROTO", "none"]);
  return [
    `# Managed by Gatewarden (tunnel ${end.tunnelId}); edits are overwritten on the next deploy.`,
    "# AH_PROTO=none: ESP alone authenticates and encrypts; AH adds nothing over it, breaks",
    "# behind NAT, and strongSwan's kernel-libipsec (the lab routers) implements ESP only.",
    "# ifup-ipsec turns AH on unless AH_PROTO=none: a peer set up by hand from the article",
    "# (no AH_PROTO) requires AH and will not interoperate until it sets AH_PROTO=none too.",
    "# Stock ifup-ipsec has no exchange-mode variable: it writes `exchange_mode aggressive, main`",
    `# whenever /etc/racoon/${end.remote.publicIp}.conf is missing or older than this file. Gatewarden`,
    "# pushes that file with the profile's modes and touches it after this one, so ifup keeps it.",
    ...vars.map(([k, v]) => `${k}=${shellValue(v)}`),
    "",
  ].join("\n");
}

export function renderKeys(end: TunnelEnd): string {
  return `IKE_PSK=${shellValue(end.psk)}\n`;
}

export function renderRacoonConf(end: TunnelEnd): string {
  const esp = end.profile.esp;
  return [
    "# Racoon IKE daemon configuration file.",
    "# See 'man racoon.conf' for a description of the format and entries.",
    "# Managed by Gatewarden: one sainfo for every tunnel of this router; edits are overwritten.",
    "",
    'path include "/etc/racoon";',
    'path pre_shared_key "/etc/racoon/psk.txt";',
    'path certificate "/etc/racoon/certs";',
    "",
    "sainfo anonymous",
    "{",
    ...(esp.pfsGroup === null ? [] : [`  pfs_group ${esp.pfsGroup};`]),
    `  lifetime time ${racoonLifetime(end.profile.childLifetimeSeconds)};`,
    `  encryption_algorithm ${esp.encryption.map((e) => ESP_ENC[e]).join(", ")};`,
    `  authentication_algorithm ${esp.integrity.map((i) => `hmac_${i}`).join(", ")};`,
    // racoon refuses a sainfo without it (cfparse.y:1321). It offers IPComp only for an
    // SPD entry asking for ipcomp, which ifup never writes (FACTS.md), so it is always there.
    "  compression_algorithm deflate;",
    "}",
    // ifup appends this line only when missing; carrying it keeps a pushed racoon.conf complete.
    racoonInclude(end),
    "",
  ].join("\n");
}

/** /etc/racoon/<DST>.conf, the remote block of the tunnel's peer. */
export const remoteConfPath = (end: TunnelEnd) => `/etc/racoon/${end.remote.publicIp}.conf`;

/** The sed script teardown runs on psk.txt: argv cannot carry `^` or `\\`, a file can. */
export const forgetPskScriptPath = (end: TunnelEnd) => `/etc/racoon/gatewarden/forget-${end.remote.publicIp}.sed`;

/**
 * Deletes the peer's line from /etc/racoon/psk.txt, the line ifup wrote as "DST  PSK"
 * (ifup-ipsec:209-212) and ifdown keeps. Anchored and with escaped dots, so neither
 * 198.18.2.10's line nor a key containing the address matches. The first line must not
 * be `#n` (POSIX sed would then print nothing).
 */
export function renderForgetPskScript(end: TunnelEnd): string {
  const dst = end.remote.publicIp.replaceAll(".", "\\.");
  return `# Gatewarden: on teardown of tunnel ${end.tunnelId}, delete peer ${end.remote.publicIp}'s line from /etc/racoon/psk.txt.\n/^${dst}[[:space:]]/d\n`;
}

/** The line racoon.conf needs per tunnel; lib/platforms/centos-racoon/merge-racoon-conf.ts keys on it. */
export const racoonInclude = (end: TunnelEnd) => `include "${remoteConfPath(end)}";`;

export function renderCentosFiles(end: TunnelEnd): RenderedFile[] {
  assertRenderable(end);
  const files = [
    file(`${NETWORK_SCRIPTS}/ifcfg-${end.interfaceName}`, renderIfcfg(end)),
    file(`${NETWORK_SCRIPTS}/keys-${end.interfaceName}`, renderKeys(end), true),
    file(RACOON_CONF, renderRacoonConf(end), false, "gateway"),
    // Pushed rather than left to ifup: racoon.conf includes it, and an include matching no
    // file stops racoon (a hub's first start would fail on the peers not yet up).
    file(remoteConfPath(end), renderRemoteConf(end)),
    file(forgetPskScriptPath(end), renderForgetPskScript(end)),
  ];
  if (end.kind === "net-to-net") {
    const sysctl = "# Managed by Gatewarden: routers of net-to-net tunnels forward between LAN and tunnel.\nnet.ipv4.ip_forward = 1\n";
    files.push(file(SYSCTL_DROP_IN, sysctl, false, "gateway"));
  }
  return files;
}

/**
 * The remote block of /etc/racoon/<DST>.conf in ifup-ipsec's own layout, tabs included
 * (ifup-ipsec:215-231): no leading `;` line (the article's Listings 3/8 have one, and racoon
 * refuses it), no `Bdh_group` typo. The exchange modes are the profile's: ifup would write
 * `aggressive, main`, but it leaves a <DST>.conf newer than ifcfg-ipsecN alone, and the
 * apply commands touch this one after the upload.
 */
export function renderRemoteConf(end: TunnelEnd): string {
  const p: CryptoProfile = end.profile;
  return [
    `remote ${end.remote.publicIp}`,
    "{",
    `\texchange_mode ${p.exchangeModes.join(", ")};`,
    "\tmy_identifier address;",
    "\tproposal {",
    `\t        encryption_algorithm ${IKE_ENC[p.ike.encryption]};`,
    `\t\thash_algorithm ${p.ike.integrity};`,
    "\t\tauthentication_method pre_shared_key;",
    `\t\tdh_group ${p.ike.dhGroup};`,
    "\t}",
    "}",
    "",
  ].join("\n");
}

export function previewCentosFiles(end: TunnelEnd): RenderedFile[] {
  assertRenderable(end);
  const dst = end.remote.publicIp;
  return [
    {
      ...file(PSK_TXT, `${dst}  ${end.psk}\n`, true, "gateway"),
      note: `ifup ${end.interfaceName} adds this line from keys-${end.interfaceName}`,
    },
    {
      ...file(RACOON_CONF, `${racoonInclude(end)}\n`, false, "gateway"),
      note: "ifup drops this line and appends it again (it moves to the end); Gatewarden's racoon.conf already carries it",
    },
  ];
}
