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
import { renderStrongswanFiles } from "./render";

function describeStrongswanFile(file: RenderedFile): string | null {
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
  installNotes: () => [
    "PSK rotation without a lost packet needs make-before-break reauthentication on every",
    "strongSwan router: `make_before_break = yes` in the charon section of",
    "/etc/strongswan.conf (or /etc/strongswan.d/charon.conf), then restart strongSwan once.",
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
