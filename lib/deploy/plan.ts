// Pure planning of a push to one router: which files change (with their old content,
// kept for rollback), where the backups go, the diff shown in the job (secrets
// masked) and a hash that says what the router now holds.
import { createHash } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import type { RenderedFile } from "@/lib/platforms/contract";
import { redactSecrets } from "@/lib/secrets/redact";

export type FileChange = {
  path: string;
  mode: number;
  secret: boolean;
  before: string | null;
  after: string;
};

export type FilePlan = { changes: FileChange[]; unchanged: string[] };

export const BACKUP_ROOT = "/var/lib/gatewarden/backups";

export function planFileChanges(desired: RenderedFile[], current: Map<string, string | null>): FilePlan {
  const changes: FileChange[] = [];
  const unchanged: string[] = [];
  for (const f of desired) {
    const before = current.get(f.path) ?? null;
    if (before === f.content) unchanged.push(f.path);
    else changes.push({ path: f.path, mode: f.mode, secret: f.secret, before, after: f.content });
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

/** A unified diff of every change, with each secret masked. */
export function describeChanges(plan: FilePlan, secrets: string[]): string {
  const parts = plan.changes.map((c) =>
    createTwoFilesPatch(c.before === null ? "/dev/null" : c.path, c.path, c.before ?? "", c.after, "on the router", "rendered", { context: 2 }),
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
