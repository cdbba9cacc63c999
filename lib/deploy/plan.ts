// Pure planning of a push to one router: which files change (with their old content,
// kept for rollback), where the backups go, the diff shown in the job (secret files
// withheld) and a hash that says what the router now holds.
import { createHash } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import type { RenderedFile } from "@/lib/platforms/contract";
import { redactSecrets } from "@/lib/secrets/redact";

export type FileChange = {
  path: string;
  mode: number;
  secret: boolean;
  before: string | null;
  /** null: the file is removed (a tunnel's file under a name it no longer has). */
  after: string | null;
};

export type FilePlan = { changes: FileChange[]; unchanged: string[] };

export const BACKUP_ROOT = "/var/lib/gatewarden/backups";

/**
 * `retired`: files to remove where the router has them (a renamed tunnel's files under
 * its old name); a path also in `desired` is written, not removed.
 */
export function planFileChanges(desired: RenderedFile[], current: Map<string, string | null>, retired: RenderedFile[] = []): FilePlan {
  const changes: FileChange[] = [];
  const unchanged: string[] = [];
  for (const f of desired) {
    const before = current.get(f.path) ?? null;
    if (before === f.content) unchanged.push(f.path);
    else changes.push({ path: f.path, mode: f.mode, secret: f.secret, before, after: f.content });
  }
  const written = new Set(desired.map((f) => f.path));
  for (const f of retired) {
    const before = current.get(f.path) ?? null;
    if (before !== null && !written.has(f.path)) changes.push({ path: f.path, mode: f.mode, secret: f.secret, before, after: null });
  }
  return { changes, unchanged };
}

/** Job ids are ours (cuid), but they become router paths: only this charset, checked every time. */
export const isJobId = (s: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(s);

/** Where the old copy of `path` is kept on the router for this job. */
export function backupPathFor(jobId: string, path: string): string {
  if (!isJobId(jobId)) throw new Error("job ids are alphanumeric");
  return `${BACKUP_ROOT}/${jobId}${path}`;
}

const hashPrefix = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 8);

/**
 * A secret file is never diffed: what the router holds may be a key Gatewarden does not
 * know (hand-edited, old, a foreign peer's), which no mask would catch. Only that it
 * differs, with a hash prefix of each side to compare routers by.
 */
function describeSecretChange(c: FileChange): string {
  if (c.after === null) return `--- ${c.path} (secret file removed: content withheld; on the router sha256 ${hashPrefix(c.before ?? "")}…)`;
  if (c.before === null)
    return `+++ ${c.path} (new secret file, mode 0${c.mode.toString(8)}: content withheld; sha256 ${hashPrefix(c.after)}…)`;
  return `*** ${c.path}: secret file differs (content withheld; on the router sha256 ${hashPrefix(c.before)}…, rendered sha256 ${hashPrefix(c.after)}…)`;
}

/** A unified diff of every change; secret files only as "differs", and any known secret masked. */
export function describeChanges(plan: FilePlan, secrets: string[]): string {
  const parts = plan.changes.map((c) =>
    c.secret
      ? describeSecretChange(c)
      : createTwoFilesPatch(
          c.before === null ? "/dev/null" : c.path,
          c.after === null ? "/dev/null" : c.path,
          c.before ?? "",
          c.after ?? "",
          "on the router",
          c.after === null ? "removed" : "rendered",
          { context: 2 },
        ),
  );
  const text = parts.join("\n").trim();
  return redactSecrets(text || "(no changes: the router already has these files)", secrets);
}

export function hashFiles(files: RenderedFile[]): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    h.update(f.path).update("\0").update(f.mode.toString(8)).update("\0").update(f.content).update("\0");
  }
  return h.digest("hex");
}
