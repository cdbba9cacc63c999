// Which platforms can run a crypto profile, and why not in each platform's own words: a
// trial render of a host-to-host end on documentation addresses, through the contract.
// Lets the profiles page or the tunnel plan refuse a profile before a deploy would.
import { RenderError, type CryptoProfile, type PlatformId, type TunnelEnd } from "./contract";
import { PLATFORM_IDS, getPlatform } from "./index";

export type ProfileSupport = {
  platform: PlatformId;
  shortLabel: string;
  /** Why this platform cannot run the profile; null when it can. */
  reason: string | null;
  /** How the platform runs it, where that differs from what the profile says ([] when it cannot run it). */
  caveats: string[];
};

const trialEnd = (profile: CryptoProfile): TunnelEnd => ({
  tunnelId: "profile-check",
  connectionName: "gw-profile-check",
  kind: "host-to-host",
  interfaceName: "ipsec0",
  local: { publicIp: "192.0.2.1", lanAddress: null, subnets: [] },
  remote: { publicIp: "192.0.2.2", lanAddress: null, subnets: [] },
  psk: "profile-check-0123456789",
  profile,
});

export function profileSupport(profile: CryptoProfile): ProfileSupport[] {
  return PLATFORM_IDS.map((id) => {
    const platform = getPlatform(id);
    try {
      const end = trialEnd(profile);
      platform.render(end);
      return { platform: id, shortLabel: platform.shortLabel, reason: null, caveats: platform.caveats(end) };
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      return { platform: id, shortLabel: platform.shortLabel, reason: e.message, caveats: [] };
    }
  });
}
