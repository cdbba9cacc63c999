// Registry of gateway platforms: the rest of the app asks for a platform by the id stored
// on the Gateway row and talks to it only through the Platform contract. A new platform
// is its own folder plus one line here.
import { centosRacoonPlatform } from "./centos-racoon/platform";
import type { Platform, PlatformId } from "./contract";
import { libreswanPlatform } from "./libreswan/platform";
import { strongswanPlatform } from "./strongswan/platform";

const PLATFORMS: Record<PlatformId, Platform> = {
  strongswan: strongswanPlatform,
  "centos-racoon": centosRacoonPlatform,
  libreswan: libreswanPlatform,
};

/** In the order a picker offers them: the first is the default. */
export const PLATFORM_IDS = Object.keys(PLATFORMS) as [PlatformId, ...PlatformId[]];

export const DEFAULT_PLATFORM_ID: PlatformId = PLATFORM_IDS[0];

export function isPlatformId(value: string): value is PlatformId {
  return Object.hasOwn(PLATFORMS, value);
}

/** Throws on an unknown id: the DB column is validated on write, so this is a bug, not user input. */
export function getPlatform(id: PlatformId): Platform {
  const platform = PLATFORMS[id];
  if (!platform) throw new Error(`unknown platform ${JSON.stringify(id)}`);
  return platform;
}

/** What a page needs to show or offer the platforms, without the platform code itself. */
export type PlatformOption = { id: PlatformId; label: string; shortLabel: string; ikeVersions: (1 | 2)[]; ipsecStacks: string[] };

export function platformOptions(): PlatformOption[] {
  return PLATFORM_IDS.map((id) => {
    const p = PLATFORMS[id];
    return {
      id,
      label: p.label,
      shortLabel: p.shortLabel,
      ikeVersions: p.capabilities.ikeVersions,
      ipsecStacks: p.capabilities.ipsecStacks,
    };
  });
}

/** Short label of a stored platform id, or the id itself for an unknown one. */
export function platformShortLabel(id: string): string {
  return isPlatformId(id) ? PLATFORMS[id].shortLabel : id;
}
