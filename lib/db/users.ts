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

export async function createUser(tx: Tx, data: { username: string; passwordHash: string; role: Role }): Promise<UserRecord> {
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

export async function updateUserRole(tx: Tx, id: string, role: Role) {
  return toUser(await tx.user.update({ where: { id }, data: { role } }));
}

export async function setUserDisabled(tx: Tx, id: string, disabled: boolean) {
  return toUser(await tx.user.update({ where: { id }, data: { disabled } }));
}

export async function setPasswordHash(tx: Tx, id: string, passwordHash: string) {
  await tx.user.update({ where: { id }, data: { passwordHash } });
}

export async function deleteUser(tx: Tx, id: string) {
  await tx.user.delete({ where: { id } });
}

/** Enabled admins other than `id`: who would still run the place without that account. */
export async function countOtherEnabledAdmins(tx: Tx, id: string): Promise<number> {
  return tx.user.count({ where: { role: "admin", disabled: false, id: { not: id } } });
}

export async function countAdmins(tx: Tx = getDb()): Promise<number> {
  return tx.user.count({ where: { role: "admin" } });
}

export async function getUserById(id: string, tx: Tx = getDb()): Promise<UserRecord | null> {
  const u = await tx.user.findUnique({ where: { id } });
  return u ? toUser(u) : null;
}
