// The centos-racoon platform: the article's initscripts files driven by ifup/ifdown.
import type { Platform, RenderedFile } from "../contract";
import { centosApplyCommands, centosKeySwitch, centosSaListCommands, centosStatusCommands, centosTeardownCommands } from "./commands";
import { mergeRacoonConf } from "./merge-racoon-conf";
import { centosTunnelSas, parseCentosStatus } from "./parse";
import { previewCentosFiles, RACOON_CONF, renderCentosFiles } from "./render";

// What a file is, by where it goes; $1 is the interface when the path names one.
const FILE_KINDS: [RegExp, string][] = [
  [/\/ifcfg-(ipsec\d+)$/, "interface definition of $1 (peer, subnets, IKE algorithms); `ifup $1` reads it"],
  [/\/keys-(ipsec\d+)$/, "pre-shared key of $1; `ifup $1` copies it into /etc/racoon/psk.txt"],
  [/\/racoon\.conf$/, "racoon's main configuration: the phase-2 (sainfo) block shared by every tunnel, one include per tunnel"],
  [/\/sysctl\.d\/[^/]+\.conf$/, "enables IP forwarding between LAN and tunnels (net-to-net)"],
];

function describeCentosFile(file: RenderedFile): string | null {
  for (const [pattern, text] of FILE_KINDS) {
    const m = pattern.exec(file.path);
    if (m) return text.replaceAll("$1", m[1] ?? "");
  }
  return null;
}

export const centosRacoonPlatform: Platform = {
  id: "centos-racoon",
  label: "CentOS / racoon (ifup ipsecN)",
  shortLabel: "CentOS / racoon",
  // racoon is IKEv1-only with one `sainfo anonymous` per router, and ifcfg-ipsecN has a
  // single SRCNET/DSTNET; a new key is read only by cycling the interface, one at a time.
  capabilities: { ikeVersions: [1], maxSubnetsPerSide: 1, sharedPhase2: true, makeBeforeBreak: false, answersReauthentication: [], reapplyInterrupts: true, concurrentCommands: false, ipsecStacks: ["kernel"] },
  render: renderCentosFiles,
  preview: previewCentosFiles,
  sharedFileMergers: { [RACOON_CONF]: mergeRacoonConf },
  describeFile: describeCentosFile,
  installNotes: () => ["`ifup ipsecN` also writes /etc/racoon/<peer>.conf and the peer's line in /etc/racoon/psk.txt", "from these files; they are not in the bundle."],
  applyCommands: centosApplyCommands,
  teardownCommands: centosTeardownCommands,
  // ifdown already removed the tunnel's route, policies and racoon include.
  reloadCommands: () => [],
  keySwitch: centosKeySwitch,
  statusCommands: centosStatusCommands,
  parseStatus: parseCentosStatus,
  saListCommands: centosSaListCommands,
  parseSaList: (end, [result]) => centosTunnelSas(end, result),
};
