// What happens to an existing account: an admin changes its role, sets a new password,
// disables or re-enables it, deletes it, or clears its sign-in delay; a user changes
// their own password. Each change is one transaction with its audit row. The last
// enabled admin can be neither demoted, disabled nor deleted, and nobody disables or
// deletes themselves.
import "server-only";
import { runInTransaction, type Tx } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import {
  countOtherEnabledAdmins,
  deleteUser as deleteUserRow,
  getUserById,
  getUserCredentials,
  setPasswordHash,
  setUserDisabled,
  updateUserRole,
  type UserRecord,
} from "@/lib/db/users";
import { deleteUserSessions } from "@/lib/db/sessions";
import { clearAccountFailures, settleSignInAttempt, takeSignInSlot } from "@/lib/db/sign-in-attempts";
import { hashPassword, verifyPassword } from "@/lib/secrets/password";
import { describeWait } from "@/lib/auth/rate-limit";
import { AppError, ValidationError } from "@/lib/errors";
import { zodFieldErrors } from "@/lib/inventory/form-state";
import { passwordChangeSchema, passwordResetSchema, roleChangeSchema, userIdSchema } from "@/lib/inventory/account-forms";

type Actor = { id: string; username: string };

export class UserNotFoundError extends AppError {
  constructor() {
    super("not_found", "That user no longer exists.");
  }
}

function parse<T>(r: { success: true; data: T } | { success: false; error: import("zod").ZodError }): T {
  if (!r.success) throw new ValidationError(zodFieldErrors(r.error));
  return r.data;
}

async function loadUser(tx: Tx, rawId: string): Promise<UserRecord> {
  const id = userIdSchema.safeParse(rawId);
  const user = id.success ? await getUserById(id.data, tx) : null;
  if (!user) throw new UserNotFoundError();
  return user;
}

/** Refuses a change that would leave no enabled admin (checked in the change's serializable transaction). */
async function keepAnAdmin(tx: Tx, user: UserRecord, what: string) {
  if (user.role === "admin" && !user.disabled && (await countOtherEnabledAdmins(tx, user.id)) === 0) {
    throw new AppError("last_admin", `${user.username} is the only enabled admin: make another admin first, then ${what}.`);
  }
}

function notYourself(actor: Actor, user: UserRecord, what: string) {
  if (actor.id === user.id) throw new AppError("self", `You cannot ${what} your own account; another admin can.`);
}

export async function changeRole(actor: Actor, userId: string, raw: Record<string, string>) {
  const { role } = parse(roleChangeSchema.safeParse(raw));
  return runInTransaction(async (tx) => {
    const user = await loadUser(tx, userId);
    if (user.role === role) return user;
    if (role !== "admin") await keepAnAdmin(tx, user, "change this role");
    const updated = await updateUserRole(tx, user.id, role);
    await recordAudit(tx, actor, {
      action: "user.role-change",
      targetType: "user",
      targetId: user.id,
      summary: `Changed the role of ${user.username} from ${user.role} to ${role}`,
      before: { role: user.role },
      after: { role },
    });
    return updated;
  });
}

/** Disabling ends the user's sessions at once; re-enabling lets them sign in again. */
export async function setDisabled(actor: Actor, userId: string, disabled: boolean) {
  return runInTransaction(async (tx) => {
    const user = await loadUser(tx, userId);
    if (user.disabled === disabled) return user;
    if (disabled) {
      notYourself(actor, user, "disable");
      await keepAnAdmin(tx, user, "disable this account");
    }
    const updated = await setUserDisabled(tx, user.id, disabled);
    const ended = disabled ? await deleteUserSessions(tx, user.id) : 0;
    const summary = disabled ? `Disabled ${user.username} (${ended} sessions ended)` : `Re-enabled ${user.username}`;
    await recordAudit(tx, actor, {
      action: disabled ? "user.disable" : "user.enable",
      targetType: "user",
      targetId: user.id,
      summary,
      before: { disabled: user.disabled },
      after: { disabled },
    });
    return updated;
  });
}

export async function deleteUser(actor: Actor, userId: string) {
  return runInTransaction(async (tx) => {
    const user = await loadUser(tx, userId);
    notYourself(actor, user, "delete");
    await keepAnAdmin(tx, user, "delete this account");
    await deleteUserRow(tx, user.id);
    await recordAudit(tx, actor, {
      action: "user.delete",
      targetType: "user",
      targetId: user.id,
      summary: `Deleted user ${user.username} (${user.role})`,
      before: { username: user.username, role: user.role, disabled: user.disabled },
    });
    return user;
  });
}

/** An admin sets a new password for someone (not themselves: that is changeOwnPassword); their sessions end. */
export async function resetPassword(actor: Actor, userId: string, raw: Record<string, string>) {
  const target = await runInTransaction((tx) => loadUser(tx, userId));
  notYourself(actor, target, "reset the password of (change it under Account)");
  const { password } = parse(passwordResetSchema(target.username).safeParse(raw));
  const passwordHash = await hashPassword(password);
  return runInTransaction(async (tx) => {
    const user = await loadUser(tx, userId);
    await setPasswordHash(tx, user.id, passwordHash);
    const ended = await deleteUserSessions(tx, user.id);
    await recordAudit(tx, actor, {
      action: "user.password-reset",
      targetType: "user",
      targetId: user.id,
      summary: `Set a new password for ${user.username} (${ended} sessions ended)`,
    });
    return user;
  });
}

/**
 * A user changes their own password, proving the current one. That check is a
 * sign-in attempt for the delays (a stolen session cannot guess it faster than the
 * sign-in form could); the user's other sessions end.
 */
export async function changeOwnPassword(actor: Actor, currentSessionId: string, clientAddress: string, raw: Record<string, string>) {
  const input = parse(passwordChangeSchema(actor.username).safeParse(raw));
  const slot = await takeSignInSlot(actor.username, clientAddress);
  if (!slot.allowed)
    throw new ValidationError(
      { current: `Too many wrong passwords. Try again in ${describeWait(slot.retryAfterSeconds)}.` },
      "Nothing was changed.",
    );
  const stored = await getUserCredentials(actor.username);
  const ok = !!stored && stored.id === actor.id && (await verifyPassword(input.current, stored.passwordHash));
  await settleSignInAttempt(slot.attemptId, ok ? "success" : "failure");
  if (!ok) throw new ValidationError({ current: "That is not your current password" }, "Nothing was changed.");
  const passwordHash = await hashPassword(input.password);
  await runInTransaction(async (tx) => {
    await setPasswordHash(tx, actor.id, passwordHash);
    const ended = await deleteUserSessions(tx, actor.id, currentSessionId);
    await recordAudit(tx, actor, {
      action: "user.password-change",
      targetType: "user",
      targetId: actor.id,
      summary: `${actor.username} changed their password (${ended} other sessions ended)`,
    });
  });
}

/** Forgets the account's failed sign-ins, so no client waits for it any more. */
export async function clearSignInDelay(actor: AuditActor, userId: string) {
  return runInTransaction(async (tx) => {
    const user = await loadUser(tx, userId);
    const cleared = await clearAccountFailures(tx, user.username);
    await recordAudit(tx, actor, {
      action: "user.sign-in-delay-clear",
      targetType: "user",
      targetId: user.id,
      summary: `Cleared the sign-in delay of ${user.username} (${cleared} failed sign-ins forgotten)`,
    });
    return { username: user.username, cleared };
  });
}
