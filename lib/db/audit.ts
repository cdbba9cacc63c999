// The audit trail: who changed what, when, with before/after snapshots. Callers pass
// snapshots built without secrets; this module never sees a PSK or SSH key.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

export type AuditActor = { id: string | null; username: string };

export type AuditEntry = {
  action: string;
  targetType: string;
  targetId?: string | null;
  summary: string;
  before?: unknown;
  after?: unknown;
};

export async function recordAudit(tx: Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: actor.id,
      actorName: actor.username,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      summary: entry.summary,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    },
  });
}

/** For an action that writes nothing else (a sign-in, a PSK reveal, a download): the audit row on its own. */
export async function recordAuditEvent(actor: AuditActor, entry: AuditEntry): Promise<void> {
  await recordAudit(getDb(), actor, entry);
}

export async function listAuditEvents(opts: { take?: number; targetType?: string; targetId?: string } = {}) {
  return getDb().auditEvent.findMany({
    where: {
      ...(opts.targetType ? { targetType: opts.targetType } : {}),
      ...(opts.targetId ? { targetId: opts.targetId } : {}),
    },
    orderBy: { at: "desc" },
    take: opts.take ?? 200,
  });
}
