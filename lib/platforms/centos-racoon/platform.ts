// The centos-racoon platform: the article's initscripts files driven by ifup/ifdown.
import type { Platform } from "../contract";
import { centosApplyCommands, centosRotateCommands, centosStatusCommands, centosTeardownCommands } from "./commands";
import { parseCentosStatus } from "./parse";
import { previewCentosFiles, renderCentosFiles } from "./render";

export const centosRacoonPlatform: Platform = {
  id: "centos-racoon",
  label: "CentOS initscripts + racoon (ifcfg-ipsecN)",
  // racoon is IKEv1-only and ifcfg-ipsecN has a single SRCNET/DSTNET.
  capabilities: { ikeVersions: [1], maxSubnetsPerSide: 1 },
  render: renderCentosFiles,
  preview: previewCentosFiles,
  applyCommands: centosApplyCommands,
  teardownCommands: centosTeardownCommands,
  rotateCommands: centosRotateCommands,
  statusCommands: centosStatusCommands,
  parseStatus: parseCentosStatus,
};
