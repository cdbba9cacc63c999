// Signing in: the attempt takes its slot under the sign-in delays (lib/auth/rate-limit)
// before the password is checked, then is settled as a failure or a success. Failed
// sign-ins to existing accounts are audited; a hash with outdated parameters is
// upgraded on success.
import "server-only";
import { hashPassword, passwordNeedsRehash, verifyPassword, verifyPasswordForUnknownUser } from "@/lib/secrets/password";
import { recordAuditEvent } from "@/lib/db/audit";
import { getUserCredentials, replacePasswordHash } from "@/lib/db/users";
import { pruneLoginAttempts, settleSignInAttempt, takeSignInSlot } from "@/lib/db/sign-in-attempts";
import { describeWait, SIGN_IN_DELAYS } from "@/lib/auth/rate-limit";
import type { Role } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log/logger";

/** Names are stored as typed (lowercased), so a sign-in form cannot fill rows with megabytes. */
const signInName = (username: string) => username.trim().toLowerCase().slice(0, 64);

let lastPrune = 0;
async function pruneNowAndThen(now: number) {
  if (now - lastPrune < 3_600_000) return;
  lastPrune = now;
  const windowMs = Math.max(SIGN_IN_DELAYS.account.windowMs, SIGN_IN_DELAYS.client.windowMs);
  await pruneLoginAttempts(new Date(now - windowMs));
}

/** Checks a sign-in from `clientAddress` (lib/auth/client-address); throws a typed error when refused. */
export async function authenticate(username: string, password: string, clientAddress: string) {
  const name = signInName(username);
  const slot = await takeSignInSlot(name, clientAddress);
  if (!slot.allowed) {
    logger.warn(
      { username: name, client: clientAddress, retryAfterSeconds: slot.retryAfterSeconds, delayedBy: slot.delayedBy },
      "sign-in refused: delay after failures",
    );
    throw new AppError("rate_limited", `Too many failed sign-ins. Try again in ${describeWait(slot.retryAfterSeconds)}.`);
  }
  const user = await getUserCredentials(name);
  // An unknown user costs as much as a known one, so timing does not reveal names.
  const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyPasswordForUnknownUser(password);
  const success = ok && !!user && !user.disabled;
  await settleSignInAttempt(slot.attemptId, success ? "success" : "failure");
  await pruneNowAndThen(Date.now());
  if (!success || !user) {
    logger.warn({ username: name, client: clientAddress }, "sign-in failed");
    if (user) {
      const why = user.disabled ? " (account disabled)" : "";
      await recordAuditEvent(
        { id: null, username: name },
        {
          action: "user.sign-in-failed",
          targetType: "user",
          targetId: user.id,
          summary: `Failed sign-in as ${user.username} from ${clientAddress}${why}`,
        },
      );
    }
    throw new AppError("bad_credentials", "Wrong user name or password.");
  }
  // A hash made with older, weaker parameters is upgraded now: the one moment the
  // password is known. The old hash keeps working until then.
  if (passwordNeedsRehash(user.passwordHash)) await replacePasswordHash(user.id, user.passwordHash, await hashPassword(password));
  return { id: user.id, username: user.username, role: user.role as Role };
}

/** The audit row of a completed sign-in (written once its session exists). */
export async function recordSignIn(user: { id: string; username: string }, clientAddress: string) {
  await recordAuditEvent(
    { id: user.id, username: user.username },
    { action: "user.sign-in", targetType: "user", targetId: user.id, summary: `${user.username} signed in from ${clientAddress}` },
  );
}
