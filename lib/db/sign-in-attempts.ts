// Queries for the sign-in delays: one LoginAttempt row per attempt let through to the
// password check. A slot is taken in one serializable transaction that counts the
// earlier attempts and writes this one as "pending", so attempts sent in parallel are
// counted one after another and each costs one slot (SQLite runs such transactions one
// at a time; PostgreSQL aborts all but one of a conflicting pair, which is retried).
import "server-only";
import { getDb, runInTransaction, type Tx } from "@/lib/db/client";
import { isLostWriteRace } from "@/lib/db/errors";
import { decideSignIn, SIGN_IN_DELAYS, type FailureCount, type SignInDecision, type SignInHistory } from "@/lib/auth/rate-limit";

/** Unsettled attempts count as failures: a process that dies mid-check leaves its slot taken. */
const FAILED = ["pending", "failure"];

async function failures(tx: Tx, where: { username?: string; client?: string }, since: Date): Promise<FailureCount> {
  const r = await tx.loginAttempt.aggregate({
    where: { ...where, outcome: { in: FAILED }, at: { gte: since } },
    _count: { _all: true },
    _max: { at: true },
  });
  return { count: r._count._all, newest: r._max.at };
}

async function history(tx: Tx, username: string, client: string, now: Date): Promise<SignInHistory> {
  const since = (windowMs: number) => new Date(now.getTime() - windowMs);
  const accountSince = since(SIGN_IN_DELAYS.account.windowMs);
  const lastSuccess = await tx.loginAttempt.findFirst({
    where: { username, client, outcome: "success", at: { gte: accountSince } },
    orderBy: { at: "desc" },
    select: { at: true },
  });
  const sinceSuccess = await tx.loginAttempt.count({
    where: { username, client, outcome: { in: FAILED }, at: lastSuccess ? { gt: lastSuccess.at } : { gte: accountSince } },
  });
  return {
    account: await failures(tx, { username }, accountSince),
    client: await failures(tx, { client }, since(SIGN_IN_DELAYS.client.windowMs)),
    clientFailedOnAccount: sinceSuccess > 0,
  };
}

export type SignInSlot = { allowed: true; attemptId: string } | Extract<SignInDecision, { allowed: false }>;

const MAX_TRIES = 20;

/** Counts the attempt before its password is checked; refused attempts write nothing. */
export async function takeSignInSlot(username: string, client: string): Promise<SignInSlot> {
  for (let tries = 1; ; tries++) {
    try {
      return await runInTransaction(
        async (tx): Promise<SignInSlot> => {
          const now = new Date();
          const decision = decideSignIn(await history(tx, username, client, now), now);
          if (!decision.allowed) return decision;
          const row = await tx.loginAttempt.create({ data: { username, client, outcome: "pending", at: now }, select: { id: true } });
          return { allowed: true, attemptId: row.id };
        },
        { maxWaitMs: 10_000 },
      );
    } catch (e) {
      // Only PostgreSQL gets here: another attempt took the slot this one counted on.
      if (!isLostWriteRace(e)) throw e;
      if (tries >= MAX_TRIES) return { allowed: false, retryAfterSeconds: 1, delayedBy: "account" };
    }
  }
}

export async function settleSignInAttempt(attemptId: string, outcome: "failure" | "success") {
  // updateMany: an admin may have cleared the row meanwhile.
  await getDb().loginAttempt.updateMany({ where: { id: attemptId }, data: { outcome } });
}

/** Failed attempts per user name inside the account window (for the users page). */
export async function countRecentFailuresByUsername(usernames: string[], now = new Date()): Promise<Map<string, FailureCount>> {
  const rows = await getDb().loginAttempt.groupBy({
    by: ["username"],
    where: { username: { in: usernames }, outcome: { in: FAILED }, at: { gte: new Date(now.getTime() - SIGN_IN_DELAYS.account.windowMs) } },
    _count: { _all: true },
    _max: { at: true },
  });
  return new Map(rows.map((r) => [r.username, { count: r._count._all, newest: r._max.at }]));
}

/** Forgets the account's failures (from every client): what an admin's "clear the delay" does. */
export async function clearAccountFailures(tx: Tx, username: string): Promise<number> {
  const { count } = await tx.loginAttempt.deleteMany({ where: { username, outcome: { in: FAILED } } });
  return count;
}

export async function pruneLoginAttempts(before: Date) {
  await getDb().loginAttempt.deleteMany({ where: { at: { lt: before } } });
}
