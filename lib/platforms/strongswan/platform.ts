// The strongswan platform: swanctl files in conf.d, driven over vici by swanctl.
import type { Platform } from "../contract";
import { strongswanApplyCommands, strongswanRotateCommands, strongswanStatusCommands, strongswanTeardownCommands } from "./commands";
import { parseStrongswanStatus } from "./parse-status";
import { renderStrongswanFiles } from "./render";

export const strongswanPlatform: Platform = {
  id: "strongswan",
  label: "strongSwan (swanctl)",
  capabilities: { ikeVersions: [1, 2], maxSubnetsPerSide: null },
  render: renderStrongswanFiles,
  // charon reads our files as they are; nothing is generated on the router.
  preview: () => [],
  applyCommands: strongswanApplyCommands,
  teardownCommands: strongswanTeardownCommands,
  rotateCommands: strongswanRotateCommands,
  statusCommands: strongswanStatusCommands,
  parseStatus: parseStrongswanStatus,
};
