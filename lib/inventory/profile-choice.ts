// Which crypto profile a new tunnel starts with, and when a weak one needs an explicit
// "yes": the strongest profile that both ends' platforms can run is pre-selected; a
// profile the lint rates dangerous (aggressive mode with a PSK, 3DES, MD5, DH 1/2 …) is
// never a default, and a tunnel uses one only when the person ticks that they need it.
// Client-safe (no platform code): the pages compute each ProfileChoice on the server
// (lib/inventory/profile-lint.ts) and the forms choose among them.

export type ProfileChoice = {
  id: string;
  name: string;
  ikeVersion: number;
  /** The lint's "danger" findings, in its words. */
  dangers: string[];
  warnings: number;
  /** The platforms that can run it. */
  platforms: string[];
};

/**
 * The profile to pre-select for a tunnel between these platforms: one every platform can
 * run with no dangerous setting, the newest IKE version first, then the fewest warnings;
 * "" when there is none (the person must choose).
 */
export function recommendProfile(choices: readonly ProfileChoice[], platforms: readonly string[]): string {
  const usable = choices.filter((c) => c.dangers.length === 0 && platforms.every((p) => c.platforms.includes(p)));
  const best = [...usable].sort((x, y) => y.ikeVersion - x.ikeVersion || x.warnings - y.warnings)[0];
  return best?.id ?? "";
}

/** The option's label: weak profiles say so in the list itself. */
export function profileLabel(c: ProfileChoice): string {
  const base = `${c.name} (IKEv${c.ikeVersion})`;
  return c.dangers.length ? `⚠ ${base}: weak, ${c.dangers.length} dangerous setting${c.dangers.length === 1 ? "" : "s"}` : base;
}

/** The field error when a weak profile is chosen without the explicit acknowledgement. */
export function weakProfileRefusal(c: Pick<ProfileChoice, "name" | "dangers">, acknowledged: boolean): string | null {
  if (!c.dangers.length || acknowledged) return null;
  return `${c.name} is weak (${c.dangers.join("; ")}). Choose a stronger profile, or tick "I need this weak profile" if a peer can do nothing better.`;
}

/** The form's checkbox value, as sent by a browser ("on") or a script ("true"). */
export const acknowledgedWeakProfile = (raw: string | undefined) => raw === "on" || raw === "true";
