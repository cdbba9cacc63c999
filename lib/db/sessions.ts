// Queries for browser sessions (ids are SHA-256 of the cookie's token; lib/auth).
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";
import type { Role } from "@/lib/auth/permissions";
import type { UserRecord } from "@/lib/db/users";

export type SessionInfo = {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  clientAddress: string | null;
  userAgent: string | null;
};

const INFO = { id: true, createdAt: true, lastSeenAt: true, expiresAt: true, clientAddress: true, userAgent: true } as const;

export async function createSession(
  data: { id: string; userId: string; expiresAt: Date; clientAddress?: string; userAgent?: string },
  tx: Tx = getDb(),
) {
  const now = new Date();
  await tx.session.create({ data: { ...data, createdAt: now, lastSeenAt: now } });
}

/** Active means: not past its expiry, used within `idleMs`, and its user not disabled. */
const activeWhere = (now: Date, idleMs: number) => ({
  expiresAt: { gt: now },
  lastSeenAt: { gt: new Date(now.getTime() - idleMs) },
  user: { disabled: false },
});

/** The session and its user when active; an expired or idle session is deleted on the way. */
export async function findActiveSession(id: string, now: Date, idleMs: number): Promise<{ session: SessionInfo; user: UserRecord } | null> {
  const row = await getDb().session.findUnique({
    where: { id },
    select: { ...INFO, user: { select: { id: true, username: true, role: true, disabled: true } } },
  });
  if (!row) return null;
  if (row.expiresAt <= now || row.lastSeenAt.getTime() <= now.getTime() - idleMs) {
    await deleteSession(id);
    return null;
  }
  if (row.user.disabled) return null;
  const { user, ...session } = row;
  return { session, user: { ...user, role: user.role as Role } };
}

export async function touchSession(id: string, now: Date) {
  await getDb().session.updateMany({ where: { id }, data: { lastSeenAt: now } });
}

export async function deleteSession(id: string, tx: Tx = getDb()) {
  await tx.session.deleteMany({ where: { id } });
}

/** Ends a user's sessions, all or all but one; the number ended. */
export async function deleteUserSessions(tx: Tx, userId: string, except?: string): Promise<number> {
  const { count } = await tx.session.deleteMany({ where: { userId, ...(except ? { id: { not: except } } : {}) } });
  return count;
}

/** Ends one session if it is the user's; the number ended (0 or 1). */
export async function deleteUserSession(userId: string, id: string): Promise<number> {
  const { count } = await getDb().session.deleteMany({ where: { id, userId } });
  return count;
}

export async function listActiveSessions(userId: string, now: Date, idleMs: number): Promise<SessionInfo[]> {
  return getDb().session.findMany({ where: { userId, ...activeWhere(now, idleMs) }, select: INFO, orderBy: { lastSeenAt: "desc" } });
}

/** Active sessions per user, for the users page. */
export async function countActiveSessionsByUser(now: Date, idleMs: number): Promise<Map<string, number>> {
  const rows = await getDb().session.groupBy({ by: ["userId"], where: activeWhere(now, idleMs), _count: { _all: true } });
  return new Map(rows.map((r) => [r.userId, r._count._all]));
}
