// PSK age policy, pure: a tunnel's active key against its maximum age (the tunnel's own
// setting, else its sites'; off when neither sets one). "near" is the last tenth of the
// age, at least a day, so the overview warns before the alert fires.
const DAY_MS = 86_400_000;

export type PskAge = { ageDays: number; maxAgeDays: number; expiresAt: Date; status: "ok" | "near" | "expired" };

export function pskAgeOf(t: { deployState: string; keyActivatedAt: Date | null; pskMaxAgeDays: number | null }, now: Date): PskAge | null {
  if (t.deployState !== "deployed" || !t.keyActivatedAt || !t.pskMaxAgeDays) return null;
  const ageMs = now.getTime() - t.keyActivatedAt.getTime();
  const expiresAt = new Date(t.keyActivatedAt.getTime() + t.pskMaxAgeDays * DAY_MS);
  const nearMs = Math.max(DAY_MS, (t.pskMaxAgeDays * DAY_MS) / 10);
  const status = now >= expiresAt ? "expired" : expiresAt.getTime() - now.getTime() <= nearMs ? "near" : "ok";
  return { ageDays: Math.floor(ageMs / DAY_MS), maxAgeDays: t.pskMaxAgeDays, expiresAt, status };
}

/** The effective maximum: the tunnel's own, else the shortest its two sites set. */
export function effectiveMaxAgeDays(tunnel: number | null, sites: readonly (number | null)[]): number | null {
  if (tunnel) return tunnel;
  const set = sites.filter((d): d is number => typeof d === "number" && d > 0);
  return set.length ? Math.min(...set) : null;
}
