// The centos-racoon platform: the article's initscripts files driven by ifup/ifdown.
import { parseRacoonFailureLog } from "./parse-racoon-log";
import type { Platform, RenderedFile } from "../contract";
import { centosCaveats } from "./caveats";
import {
  centosApplyCommands,
  centosFailureLogCommands,
  centosKeySwitch,
  centosSaListCommands,
  centosStatusCommands,
  centosTeardownCommands,
} from "./commands";
import { mergeRacoonConf } from "./merge-racoon-conf";
import { centosTunnelSasFrom, parseCentosStatus } from "./parse";
import { previewCentosFiles, RACOON_CONF, renderCentosFiles } from "./render";

// What a file is, by where it goes; $1 is the interface when the path names one.
const FILE_KINDS: [RegExp, string][] = [
  [/\/ifcfg-(ipsec\d+)$/, "interface definition of $1 (peer, subnets, IKE algorithms); `ifup $1` reads it"],
  [/\/keys-(ipsec\d+)$/, "pre-shared key of $1; `ifup $1` copies it into /etc/racoon/psk.txt"],
  [/\/racoon\.conf$/, "racoon's main configuration: the phase-2 (sainfo) block shared by every tunnel, one include per tunnel"],
  [
    /\/racoon\/(\d+\.\d+\.\d+\.\d+)\.conf$/,
    "racoon's phase-1 (remote) block for the peer $1, as ifup writes it but with the profile's exchange modes; keep it newer than the tunnel's ifcfg file (`touch`) or ifup rewrites it with `aggressive, main`",
  ],
  [
    /\/gatewarden\/forget-([\d.]+)\.sed$/,
    "sed script the teardown runs to delete the peer $1's line from /etc/racoon/psk.txt (ifdown keeps it)",
  ],
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
  capabilities: {
    ikeVersions: [1],
    maxSubnetsPerSide: 1,
    sharedPhase2: true,
    makeBeforeBreak: false,
    answersReauthentication: [],
    reapplyInterrupts: true,
    concurrentCommands: false,
    ipsecStacks: ["kernel"],
  },
  render: renderCentosFiles,
  preview: previewCentosFiles,
  sharedFileMergers: { [RACOON_CONF]: mergeRacoonConf },
  describeFile: describeCentosFile,
  installNotes: () => [
    "`ifup ipsecN` also writes the peer's line in /etc/racoon/psk.txt from keys-ipsecN; it is not in the bundle.",
    "Stock ifup rewrites /etc/racoon/<peer>.conf with `exchange_mode aggressive, main` whenever that file is",
    "older than ifcfg-ipsecN: the `touch` above keeps the bundle's copy. Touch it again after editing ifcfg-ipsecN.",
    "AH is off (AH_PROTO=none in ifcfg-ipsecN): ESP alone. ifup-ipsec turns AH on unless AH_PROTO=none, so a",
    "peer set up by hand from the article (no AH_PROTO) requires AH+ESP and will not interoperate until it",
    "sets AH_PROTO=none too.",
  ],
  caveats: centosCaveats,
  applyCommands: centosApplyCommands,
  teardownCommands: centosTeardownCommands,
  // ifdown already removed the tunnel's route, policies and racoon include.
  reloadCommands: () => [],
  keySwitch: centosKeySwitch,
  statusCommands: centosStatusCommands,
  parseStatus: (end, results) => parseCentosStatus(end, results),
  failureLogCommands: centosFailureLogCommands,
  parseFailureLog: parseRacoonFailureLog,
  saListCommands: centosSaListCommands,
  parseSaList: (end, results) => centosTunnelSasFrom(end, results),
};
