// Registry of gateway platforms: the rest of the app asks for a platform by the id stored
// on the Gateway row and talks to it only through the Platform contract.
import { centosRacoonPlatform } from "./centos-racoon/platform";
import type { Platform, PlatformId } from "./contract";
import { strongswanPlatform } from "./strongswan/platform";

const PLATFORMS: Record<PlatformId, Platform> = {
  "centos-racoon": centosRacoonPlatform,
  strongswan: strongswanPlatform,
};

export const PLATFORM_IDS = Object.keys(PLATFORMS) as PlatformId[];

export function isPlatformId(value: string): value is PlatformId {
  return Object.hasOwn(PLATFORMS, value);
}

/** Throws on an unknown id: the DB column is validated on write, so this is a bug, not user input. */
export function getPlatform(id: PlatformId): Platform {
  const platform = PLATFORMS[id];
  if (!platform) throw new Error(`unknown platform ${JSON.stringify(id)}`);
  return platform;
}
