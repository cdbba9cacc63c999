// The strongswan platform: swanctl files in conf.d, driven over vici by swanctl.
import type { Platform, RenderedFile } from "../contract";
import {
  strongswanApplyCommands,
  strongswanFailureLogCommands,
  strongswanKeySwitch,
  strongswanReloadCommands,
  strongswanSaListCommands,
  strongswanStatusCommands,
  strongswanTeardownCommands,
} from "./commands";
import { parseStrongswanStatus, tunnelSasFrom } from "./parse-status";
import { parseCharonFailureLog } from "./parse-charon-log";
import { AGGRESSIVE_PSK_PATH, AGGRESSIVE_PSK_SETTING, renderStrongswanFiles, usesAggressivePsk } from "./render";

function describeStrongswanFile(file: RenderedFile): string | null {
  if (file.path === AGGRESSIVE_PSK_PATH)
    return `non-default charon setting: answer IKEv1 aggressive mode with a PSK (${AGGRESSIVE_PSK_SETTING})`;
  const secrets = /\/(gw-[^/]+)\.secrets\.conf$/.exec(file.path);
  if (secrets) return `pre-shared key of connection ${secrets[1]}, loaded by \`swanctl --load-all\``;
  const conn = /\/(gw-[^/]+)\.conf$/.exec(file.path);
  if (conn) return `swanctl connection ${conn[1]} (peers, proposals, traffic selectors)`;
  return null;
}

export const strongswanPlatform: Platform = {
  id: "strongswan",
  label: "strongSwan (swanctl)",
  shortLabel: "strongSwan",
  capabilities: {
    ikeVersions: [1, 2],
    maxSubnetsPerSide: null,
    sharedPhase2: false,
    makeBeforeBreak: true,
    answersReauthentication: [1, 2],
    reapplyInterrupts: false,
    concurrentCommands: true,
    ipsecStacks: ["kernel", "libipsec"],
  },
  render: renderStrongswanFiles,
  // charon reads our files as they are; nothing is generated on the router.
  preview: () => [],
  sharedFileMergers: {},
  describeFile: describeStrongswanFile,
  installNotes: (ends) => [
    "PSK rotation without a lost packet needs make-before-break reauthentication on every",
    "strongSwan router: `make_before_break = yes` in the charon section of",
    "/etc/strongswan.conf (or /etc/strongswan.d/charon.conf), then restart strongSwan once.",
    ...(ends.some(usesAggressivePsk)
      ? [
          "",
          "NON-DEFAULT SETTING: a tunnel here uses IKEv1 aggressive mode with a pre-shared key,",
          "which a stock strongSwan refuses to answer. The bundle therefore carries",
          `${AGGRESSIVE_PSK_PATH}, which sets`,
          `${AGGRESSIVE_PSK_SETTING} = yes for the whole router`,
          "(`swanctl --reload-settings` above loads it; a stock strongswan.conf includes",
          "strongswan.d/*.conf). Anyone can then ask this router for a crackable hash of the",
          "PSK: prefer a main-mode or IKEv2 profile and remove the file when no tunnel needs it.",
        ]
      : []),
  ],
  caveats: () => [],
  applyCommands: strongswanApplyCommands,
  teardownCommands: strongswanTeardownCommands,
  reloadCommands: strongswanReloadCommands,
  keySwitch: strongswanKeySwitch,
  statusCommands: strongswanStatusCommands,
  parseStatus: parseStrongswanStatus,
  saListCommands: strongswanSaListCommands,
  parseSaList: (end, [result]) => tunnelSasFrom(end, result),
  failureLogCommands: strongswanFailureLogCommands,
  parseFailureLog: parseCharonFailureLog,
};
