// Dashboard accounts: the first admin (created once, with the setup code the server
// prints) and users an admin adds with a role. What happens to them later:
// account-lifecycle.ts. Signing in is lib/inventory/sign-in.ts.
import "server-only";
import { hashPassword } from "@/lib/secrets/password";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { countAdmins, createUser, getUserCredentials } from "@/lib/db/users";
import { deleteSetupCodes, setupCodeExists } from "@/lib/db/setup-codes";
import { hashSetupCode } from "@/lib/inventory/setup-code";
import { AppError, ValidationError } from "@/lib/errors";
import { zodFieldErrors } from "@/lib/inventory/form-state";
import { firstAdminSchema, newUserSchema } from "@/lib/inventory/account-forms";

/**
 * The first admin, from /setup: only with a setup code the server printed (its console
 * and log) while no admin exists. The code is used up; so are any others.
 */
export async function createFirstAdmin(raw: Record<string, string>) {
  const parsed = firstAdminSchema.safeParse({ ...raw, role: "admin" });
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  const passwordHash = await hashPassword(parsed.data.password);
  return runInTransaction(async (tx) => {
    // Checked inside the transaction so two browsers racing on first start get one admin.
    if ((await countAdmins(tx)) > 0) throw new AppError("setup_done", "An admin already exists; sign in instead.");
    if (!(await setupCodeExists(tx, hashSetupCode(parsed.data.setupCode)))) {
      throw new ValidationError({
        setupCode: "That is not a setup code this server printed. Look for “setup code” in its console or log.",
      });
    }
    await deleteSetupCodes(tx);
    const user = await createUser(tx, { username: parsed.data.username, passwordHash, role: "admin" });
    await recordAudit(
      tx,
      { id: user.id, username: user.username },
      {
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        summary: `Created the first admin ${user.username} with the setup code`,
        after: { username: user.username, role: "admin" },
      },
    );
    return user;
  });
}

/** True while no admin exists: /setup is open (with a setup code). */
export async function needsSetup(): Promise<boolean> {
  return (await countAdmins()) === 0;
}

export async function addUser(actor: AuditActor, raw: Record<string, string>) {
  const parsed = newUserSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  if (await getUserCredentials(parsed.data.username)) throw new ValidationError({ username: "That user name is taken" });
  const passwordHash = await hashPassword(parsed.data.password);
  return runInTransaction(async (tx) => {
    const user = await createUser(tx, { username: parsed.data.username, passwordHash, role: parsed.data.role });
    await recordAudit(tx, actor, {
      action: "user.create",
      targetType: "user",
      targetId: user.id,
      summary: `Added user ${user.username} (${user.role})`,
      after: { username: user.username, role: user.role },
    });
    return user;
  });
}
