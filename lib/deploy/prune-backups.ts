// Keeps a router's deploy backups from piling up: after a deploy has backed up files
// there, all but the newest N backup directories are deleted (N from
// GATEWARDEN_DEPLOY_BACKUPS_KEPT). Old backups hold old PSKs (0600) and fill the disk of a
// router deployed daily. What to delete is decided in ./backup-retention (pure); this
// runs its two commands over the deploy's session, argv only.
import type { RouterIO } from "@/lib/deploy/router-io";
import { lastLines } from "@/lib/deploy/run-commands";
import { LIST_BACKUPS_ARGV, backupsToPrune, parseBackupListing, pruneCommands } from "@/lib/deploy/backup-retention";

const TIMEOUT_MS = 30_000;

/** Deletes the backups beyond the newest `keep` (`current`, the one just made, stays); returns their names. */
export async function pruneBackups(io: RouterIO, opts: { current: string; keep: number }): Promise<string[]> {
  const listing = await io.exec([...LIST_BACKUPS_ARGV], { timeoutMs: TIMEOUT_MS });
  if (listing.exitCode !== 0) throw new Error(`listing the backups failed (exit ${listing.exitCode}): ${lastLines(listing.stderr, 2)}`);
  const doomed = backupsToPrune(parseBackupListing(listing.stdout), opts);
  for (const argv of pruneCommands(doomed)) {
    const r = await io.exec(argv, { timeoutMs: TIMEOUT_MS });
    if (r.exitCode !== 0) throw new Error(`deleting old backups failed (exit ${r.exitCode}): ${lastLines(r.stderr, 2)}`);
  }
  return doomed;
}
