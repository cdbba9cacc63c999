// Stored crypto profiles. Built-in ones are (re)written from lib/platforms at every
// start so an upgrade that changes a built-in profile reaches the database.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";
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

/** Every profile, built-in first, with how many tunnels use it. */
export async function listCryptoProfilesWithUse() {
  return getDb().cryptoProfile.findMany({
    orderBy: [{ builtIn: "desc" }, { name: "asc" }],
    include: { _count: { select: { tunnels: true } } },
  });
}

export async function getCryptoProfileByName(name: string, tx: Tx = getDb()) {
  return tx.cryptoProfile.findUnique({ where: { name }, select: { id: true, builtIn: true } });
}

/** A custom (admin-defined) profile; `profile` has passed cryptoProfileSchema. */
export async function createCryptoProfile(tx: Tx, profile: CryptoProfile) {
  return tx.cryptoProfile.create({ data: { name: profile.name, builtIn: false, spec: JSON.stringify(profile) } });
}

/** One profile with its spec and how many tunnels use it, read inside the writing transaction. */
export async function getCryptoProfileWithUse(tx: Tx, id: string) {
  return tx.cryptoProfile.findUnique({ where: { id }, include: { _count: { select: { tunnels: true } } } });
}

export async function listCryptoProfileNames(tx: Tx): Promise<string[]> {
  return (await tx.cryptoProfile.findMany({ select: { name: true } })).map((p) => p.name);
}

/** Rewrites a custom profile; the caller has checked that no tunnel uses it. */
export async function updateCryptoProfile(tx: Tx, id: string, profile: CryptoProfile) {
  return tx.cryptoProfile.update({ where: { id, builtIn: false }, data: { name: profile.name, spec: JSON.stringify(profile) } });
}

/** Deletes a custom profile; the caller has checked that no tunnel uses it. */
export async function deleteCryptoProfileRow(tx: Tx, id: string) {
  return tx.cryptoProfile.delete({ where: { id, builtIn: false } });
}

export async function getCryptoProfileForEdit(id: string) {
  return getDb().cryptoProfile.findUnique({ where: { id }, include: { _count: { select: { tunnels: true } } } });
}
