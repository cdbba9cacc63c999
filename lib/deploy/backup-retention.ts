// Which deploy backups on a router (BACKUP_ROOT/<jobId>/, one per deploy that changed a
// file there) to delete, and the commands that list and delete them. Pure: the router
// side is lib/deploy/prune-backups.ts.
//
// Newest by the directory's mtime on the router, not by a timestamp in the name: every
// mtime comes from the router's one clock (app instances' clocks may disagree), a backup
// directory gets it when the deploy creates its contents and nothing writes there later,
// and it orders every backup whatever made its id (cuids from any instance, a benchmark's
// fixed id). Equal mtimes fall back to the name (later cuids sort later). The backup the
// current job just made is kept whatever its mtime says (a clock set back).
//
// Only directories named like a job id are ours: a file, a symlink (never followed, even
// with a job-id name) or anything else under BACKUP_ROOT is left alone and not counted.
import { BACKUP_ROOT, isJobId } from "@/lib/deploy/plan";

export type BackupEntry = { name: string; type: string; mtime: number };

/**
 * BACKUP_ROOT's own entries as "mtime/type/name/" records (GNU find, as on both platforms).
 * A name cannot contain "/", so the records cannot be misread, whatever a name holds.
 * find does not follow a symlinked BACKUP_ROOT (-P), so it then lists nothing.
 */
export const LIST_BACKUPS_ARGV = ["find", BACKUP_ROOT, "-mindepth", "1", "-maxdepth", "1", "-printf", "%T@/%y/%f/"] as const;

export function parseBackupListing(stdout: string): BackupEntry[] {
  if (stdout === "") return [];
  const fields = stdout.endsWith("/") ? stdout.slice(0, -1).split("/") : [];
  if (fields.length === 0 || fields.length % 3 !== 0) throw new Error("unexpected output from find: not mtime/type/name/ records");
  const entries: BackupEntry[] = [];
  for (let i = 0; i < fields.length; i += 3) {
    const [mtime, type, name] = [fields[i]!, fields[i + 1]!, fields[i + 2]!];
    if (!/^\d+(\.\d+)?$/.test(mtime) || !/^[A-Za-z]$/.test(type) || name === "") {
      throw new Error(`unexpected output from find: record ${i / 3 + 1} is not mtime/type/name`);
    }
    entries.push({ name, type, mtime: Number(mtime) });
  }
  return entries;
}

/** The backups to delete so that the newest `keep` remain, `current` (the one just made) always among them. */
export function backupsToPrune(entries: readonly BackupEntry[], opts: { keep: number; current: string }): string[] {
  if (!Number.isInteger(opts.keep) || opts.keep < 1) throw new Error("keep at least the backup just made");
  const ours = entries.filter((e) => e.type === "d" && isJobId(e.name));
  const hasCurrent = ours.some((e) => e.name === opts.current);
  const others = ours
    .filter((e) => e.name !== opts.current)
    .sort((a, b) => b.mtime - a.mtime || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  return others.slice(opts.keep - (hasCurrent ? 1 : 0)).map((e) => e.name);
}

/** rm's arguments per command, so a router with years of backups still gets short command lines. */
const NAMES_PER_COMMAND = 100;

/**
 * `rm -r` over BACKUP_ROOT/<name> for each name, in batches. Each name is checked again
 * here: a job-id name cannot be empty, ".", ".." or hold a "/", so every path is a direct
 * child of BACKUP_ROOT. rm removes a symlink, never what it points to, and
 * --one-file-system keeps it out of anything mounted inside a backup.
 */
export function pruneCommands(names: readonly string[]): string[][] {
  for (const name of names) if (!isJobId(name)) throw new Error("refusing to delete a backup whose name is not a job id");
  const commands: string[][] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_COMMAND) {
    const paths = names.slice(i, i + NAMES_PER_COMMAND).map((n) => `${BACKUP_ROOT}/${n}`);
    commands.push(["rm", "-r", "-f", "--one-file-system", "--", ...paths]);
  }
  return commands;
}
