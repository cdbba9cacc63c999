// Queries for dashboard users (their sessions: lib/db/sessions.ts; sign-in attempts: lib/db/sign-in-attempts.ts).
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";
import type { Role } from "@/lib/auth/permissions";

export type UserRecord = { id: string; username: string; role: Role; disabled: boolean };

function toUser(u: { id: string; username: string; role: string; disabled: boolean }): UserRecord {
  return { id: u.id, username: u.username, role: u.role as Role, disabled: u.disabled };
}

/** Inside `tx` when given, so a check-then-create holds under concurrency. */
export async function countUsers(tx: Tx = getDb()): Promise<number> {
  return tx.user.count();
}

export async function listUsers(): Promise<(UserRecord & { createdAt: Date })[]> {
  const rows = await getDb().user.findMany({ orderBy: { username: "asc" } });
  return rows.map((u) => ({ ...toUser(u), createdAt: u.createdAt }));
}

export async function getUserCredentials(username: string) {
  return getDb().user.findUnique({ where: { username } });
}

export async function createUser(
  tx: Tx,
  data: { username: string; passwordHash: string; role: Role },
): Promise<UserRecord> {
  return toUser(await tx.user.create({ data }));
}

/**
 * Replaces a password hash unless it changed since it was read (a password change
 * in between wins). True when the row was updated.
 */
export async function replacePasswordHash(id: string, expected: string, passwordHash: string): Promise<boolean> {
  const { count } = await getDb().user.updateMany({ where: { id, passwordHash: expected }, data: { passwordHash } });
  return count === 1;
}

export async function updateUserRole(tx: Tx, id: string, role: Role, disabled: boolean) {
  return toUser(await tx.user.update({ where: { id }, data: { role, disabled } }));
}

export async function getUserById(id: string, tx: Tx = getDb()): Promise<UserRecord | null> {
  const u = await tx.user.findUnique({ where: { id } });
  return u ? toUser(u) : null;
}
