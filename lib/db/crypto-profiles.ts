// Stored crypto profiles. Built-in ones are (re)written from lib/platforms at every
// start so an upgrade that changes a built-in profile reaches the database.
import "server-only";
import { getDb } from "@/lib/db/client";
import { BUILT_IN_PROFILES, cryptoProfileSchema } from "@/lib/platforms/crypto-profiles";
import type { CryptoProfile } from "@/lib/platforms/contract";

export async function ensureBuiltInProfiles(): Promise<void> {
  const db = getDb();
  for (const profile of BUILT_IN_PROFILES) {
    const spec = JSON.stringify(profile);
    await db.cryptoProfile.upsert({
      where: { name: profile.name },
      create: { name: profile.name, builtIn: true, spec },
      update: { builtIn: true, spec },
    });
  }
}

/** The stored spec, validated: a hand-edited row cannot smuggle an unknown algorithm. */
export function parseProfileSpec(spec: string): CryptoProfile {
  return cryptoProfileSchema.parse(JSON.parse(spec)) as CryptoProfile;
}
