// Dashboard accounts: the first admin (created once, on first start) and users an
// admin adds with a role. Signing in is lib/inventory/sign-in.ts.
import "server-only";
import { hashPassword } from "@/lib/secrets/password";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { countUsers, createUser, getUserCredentials } from "@/lib/db/users";
import { AppError, ValidationError } from "@/lib/errors";
import { zodFieldErrors } from "@/lib/inventory/form-state";
import { newUserSchema } from "@/lib/inventory/account-forms";

export async function createFirstAdmin(raw: Record<string, string>) {
  const parsed = newUserSchema.safeParse({ ...raw, role: "admin" });
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  const passwordHash = await hashPassword(parsed.data.password);
  return runInTransaction(async (tx) => {
    // Checked inside the transaction so two browsers racing on first start get one admin.
    if ((await countUsers(tx)) > 0) throw new AppError("setup_done", "An admin already exists; sign in instead.");
    const user = await createUser(tx, { username: parsed.data.username, passwordHash, role: "admin" });
    await recordAudit(tx, { id: user.id, username: user.username }, { action: "user.create", targetType: "user", targetId: user.id, summary: `Created the first admin ${user.username}`, after: { username: user.username, role: "admin" } });
    return user;
  });
}

export async function needsSetup(): Promise<boolean> {
  return (await countUsers()) === 0;
}

export async function addUser(actor: AuditActor, raw: Record<string, string>) {
  const parsed = newUserSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  if (await getUserCredentials(parsed.data.username)) throw new ValidationError({ username: "That user name is taken" });
  const passwordHash = await hashPassword(parsed.data.password);
  return runInTransaction(async (tx) => {
    const user = await createUser(tx, { username: parsed.data.username, passwordHash, role: parsed.data.role });
    await recordAudit(tx, actor, { action: "user.create", targetType: "user", targetId: user.id, summary: `Added user ${user.username} (${user.role})`, after: { username: user.username, role: user.role } });
    return user;
  });
}
