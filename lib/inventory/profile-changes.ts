// What may happen to a stored crypto profile, and the words for why not. Pure: the
// profiles page uses it to disable controls with the reason, the use cases to refuse.
// A profile in use is frozen because a changed spec would silently change what deployed
// tunnels negotiate on their next deploy; cloning it and moving tunnels is the way.

export type ProfileUse = { name: string; builtIn: boolean; tunnels: number };
export type ProfileChange = "edit" | "delete";

const tunnelsWord = (n: number) => `${n} tunnel${n === 1 ? "" : "s"}`;

/** Null when `change` is allowed on this profile, else the sentence shown beside the control. */
export function profileChangeRefusal(p: ProfileUse, change: ProfileChange): string | null {
  if (p.builtIn) {
    return change === "edit"
      ? `${p.name} is built in and cannot be edited; clone it and edit the copy.`
      : `${p.name} is built in and cannot be deleted.`;
  }
  if (p.tunnels > 0) {
    return change === "edit"
      ? `${p.name} is used by ${tunnelsWord(p.tunnels)}; clone it and edit the copy, or move the tunnels to another profile first.`
      : `${p.name} is used by ${tunnelsWord(p.tunnels)}; move them to another profile first.`;
  }
  return null;
}

const MAX_NAME = 64;

/**
 * A free name for a copy: "X (copy)", then "X (copy 2)", … cut so it stays within the
 * 64 characters profile names may have. Compared case-insensitively, as names look alike.
 */
export function cloneName(name: string, taken: readonly string[]): string {
  const used = new Set(taken.map((t) => t.toLowerCase()));
  for (let i = 1; ; i++) {
    const suffix = i === 1 ? " (copy)" : ` (copy ${i})`;
    const candidate = `${name.slice(0, MAX_NAME - suffix.length).trimEnd()}${suffix}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}
