// A crypto profile as the tunnel forms see it: the lint's dangers and the platforms that
// can run it, computed on the server from the stored spec (lib/inventory/profile-choice.ts
// chooses among them in the browser).
import type { CryptoProfile } from "@/lib/platforms/contract";
import { lintCryptoProfile } from "@/lib/platforms/crypto-profiles";
import { profileSupport } from "@/lib/platforms/profile-support";
import type { ProfileChoice } from "./profile-choice";

/** The lint's "danger" findings of a profile, in its words. */
export function dangersOf(spec: CryptoProfile): string[] {
  return lintCryptoProfile(spec)
    .filter((f) => f.severity === "danger")
    .map((f) => f.message);
}

export function profileChoice(p: { id: string; name: string }, spec: CryptoProfile): ProfileChoice {
  const findings = lintCryptoProfile(spec);
  return {
    id: p.id,
    name: p.name,
    ikeVersion: spec.ikeVersion,
    dangers: dangersOf(spec),
    warnings: findings.filter((f) => f.severity === "warning").length,
    platforms: profileSupport(spec)
      .filter((s) => s.reason === null)
      .map((s) => s.platform),
  };
}

/** The stored profiles as the tunnel forms offer them; a row whose spec no longer parses is left out. */
export function profileChoices(rows: readonly { id: string; name: string; spec: string }[], parse: (spec: string) => CryptoProfile) {
  return rows.flatMap((row) => {
    try {
      return [profileChoice(row, parse(row.spec))];
    } catch {
      return [];
    }
  });
}
