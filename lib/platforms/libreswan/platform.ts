// The libreswan platform (RHEL/Rocky/Alma 8–10): one conn and one PSK file per tunnel in
// /etc/ipsec.d, driven by `ipsec auto` and read with `ipsec whack` and `ip xfrm`.
import { parsePlutoFailureLog } from "./parse-pluto-log";
import type { Platform, RenderedFile } from "../contract";
import {
  libreswanApplyCommands,
  libreswanKeySwitch,
  libreswanReloadCommands,
  libreswanSaListCommands,
  libreswanStatusCommands,
  libreswanTeardownCommands,
  libreswanFailureLogCommands,
} from "./commands";
import { libreswanTunnelSas, parseLibreswanStatus } from "./parse-status";
import { renderLibreswanFiles } from "./render";

function describeLibreswanFile(file: RenderedFile): string | null {
  const secrets = /^\/etc\/ipsec\.d\/([^/]+)\.secrets$/.exec(file.path);
  if (secrets)
    return `pre-shared key of connection ${secrets[1]}; /etc/ipsec.secrets includes /etc/ipsec.d/*.secrets, and \`ipsec auto --rereadsecrets\` loads it`;
  const conn = /^\/etc\/ipsec\.d\/([^/]+)\.conf$/.exec(file.path);
  if (conn)
    return `Libreswan connection ${conn[1]} (peers, proposals, subnets); /etc/ipsec.conf includes /etc/ipsec.d/*.conf, and \`ipsec auto --add ${conn[1]}\` loads it`;
  return null;
}

export const libreswanPlatform: Platform = {
  id: "libreswan",
  label: "Libreswan (RHEL / Rocky / Alma)",
  shortLabel: "Libreswan",
  // One subnet per side (leftsubnets= splits a tunnel into one connection per pair), no
  // reauthentication on demand (a new key needs --down/--up) but an IKEv2 peer's
  // make-before-break reauthentication is answered with the reread key (a new IKE SA, the
  // old one deleted: uniqueids), and one whack at a time until concurrent whack/addconn
  // runs are shown to be safe.
  capabilities: {
    ikeVersions: [1, 2],
    maxSubnetsPerSide: 1,
    sharedPhase2: false,
    makeBeforeBreak: false,
    answersReauthentication: [2],
    reapplyInterrupts: true,
    concurrentCommands: false,
    ipsecStacks: ["kernel"],
  },
  render: renderLibreswanFiles,
  // pluto reads our files as they are; nothing is generated on the router.
  preview: () => [],
  sharedFileMergers: {},
  describeFile: describeLibreswanFile,
  installNotes: () => [
    "Libreswan reads these files through the stock include lines: /etc/ipsec.conf has",
    "`include /etc/ipsec.d/*.conf` and /etc/ipsec.secrets `include /etc/ipsec.d/*.secrets`",
    "(RHEL, Rocky and Alma ship them); keep them.",
    "IKEv1 tunnels need `ikev1-policy=accept` in the `config setup` section of /etc/ipsec.conf",
    "(Libreswan 5 and Debian's 4.x packages default to drop and then refuse to load IKEv1",
    "connections; upstream 4.x builds accept unless the file says otherwise); restart ipsec",
    "once after setting it.",
    "Net-to-net routers must forward between LAN and tunnel: net.ipv4.ip_forward = 1.",
    "Libreswan cannot reauthenticate on demand. A new pre-shared key against a strongSwan",
    "peer (IKEv2) takes effect when strongSwan reauthenticates and Libreswan answers with",
    "the new key, old SA running meanwhile; between two Libreswan routers (or on IKEv1)",
    "the tunnel is taken down and up again: a rotation interrupts traffic for a few seconds.",
  ],
  caveats: () => [],
  applyCommands: libreswanApplyCommands,
  teardownCommands: libreswanTeardownCommands,
  reloadCommands: libreswanReloadCommands,
  keySwitch: libreswanKeySwitch,
  statusCommands: libreswanStatusCommands,
  parseStatus: parseLibreswanStatus,
  failureLogCommands: libreswanFailureLogCommands,
  parseFailureLog: parsePlutoFailureLog,
  saListCommands: libreswanSaListCommands,
  parseSaList: libreswanTunnelSas,
};
