// Dashboard accounts: the first admin (created once, on first start), sign-in with
// throttling, and users an admin adds with a role.
import "server-only";
import { hashPassword, passwordNeedsRehash, verifyPassword, verifyPasswordForUnknownUser } from "@/lib/secrets/password";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, recordAuditEvent, type AuditActor } from "@/lib/db/audit";
import { countUsers, createUser, getUserCredentials, recentLoginFailures, recordLoginAttempt, replacePasswordHash } from "@/lib/db/users";
import { decideRateLimit, LOGIN_RULES } from "@/lib/auth/rate-limit";
import type { Role } from "@/lib/auth/permissions";
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

/** Checks a sign-in; throttled per user name and per client address. */
export async function authenticate(username: string, password: string, clientAddress: string) {
  const name = username.trim().toLowerCase();
  const now = new Date();
  const keys = [`user:${name}`, `ip:${clientAddress}`];
  const [userFails, ipFails] = await Promise.all([
    recentLoginFailures(keys[0]!, new Date(now.getTime() - LOGIN_RULES.perUser.windowMs)),
    recentLoginFailures(keys[1]!, new Date(now.getTime() - LOGIN_RULES.perAddress.windowMs)),
  ]);
  for (const decision of [decideRateLimit(userFails, now, LOGIN_RULES.perUser), decideRateLimit(ipFails, now, LOGIN_RULES.perAddress)]) {
    if (decision.blocked) {
      throw new AppError("rate_limited", `Too many failed sign-ins. Try again in ${Math.ceil(decision.retryAfterSeconds / 60)} minute(s).`);
    }
  }
  const user = await getUserCredentials(name);
  // An unknown user costs as much as a known one, so timing does not reveal names.
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyPasswordForUnknownUser(password);
  await recordLoginAttempt(keys, ok && !user?.disabled);
  if (!ok || !user || user.disabled) throw new AppError("bad_credentials", "Wrong user name or password.");
  // A hash made with older, weaker parameters is upgraded now: the one moment the
  // password is known. The old hash keeps working until then.
  if (passwordNeedsRehash(user.passwordHash)) await replacePasswordHash(user.id, user.passwordHash, await hashPassword(password));
  return { id: user.id, username: user.username, role: user.role as Role };
}

/** The audit row of a completed sign-in (written once its session exists). */
export async function recordSignIn(user: { id: string; username: string }) {
  await recordAuditEvent({ id: user.id, username: user.username }, { action: "user.sign-in", targetType: "user", targetId: user.id, summary: `${user.username} signed in` });
}
