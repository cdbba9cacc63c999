// Ending sessions: a user ends their own other sessions (one or all), an admin ends all
// of someone's. Audited; the user's next request from an ended session goes to sign-in.
import "server-only";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, recordAuditEvent } from "@/lib/db/audit";
import { getUserById } from "@/lib/db/users";
import { deleteUserSession, deleteUserSessions, listActiveSessions, type SessionInfo } from "@/lib/db/sessions";
import { sessionIdleMs } from "@/lib/auth/issue-session";
import { AppError } from "@/lib/errors";
import { UserNotFoundError } from "@/lib/inventory/account-lifecycle";

type Actor = { id: string; username: string };

export async function listSessions(userId: string): Promise<SessionInfo[]> {
  return listActiveSessions(userId, new Date(), sessionIdleMs());
}

/** Ends all of `actor`'s sessions but the one making the request. */
export async function endOtherSessions(actor: Actor, currentSessionId: string): Promise<number> {
  return runInTransaction(async (tx) => {
    const ended = await deleteUserSessions(tx, actor.id, currentSessionId);
    await recordAudit(tx, actor, {
      action: "user.sessions-end",
      targetType: "user",
      targetId: actor.id,
      summary: `${actor.username} ended their other sessions (${ended})`,
    });
    return ended;
  });
}

/** Ends one of `actor`'s other sessions (this browser's own ends by signing out). */
export async function endOwnSession(actor: Actor, sessionId: string, currentSessionId: string): Promise<void> {
  if (sessionId === currentSessionId) throw new AppError("current_session", "This is the session you are using: sign out instead.");
  if ((await deleteUserSession(actor.id, sessionId)) === 0) throw new AppError("not_found", "That session has already ended.");
  await recordAuditEvent(actor, {
    action: "user.session-end",
    targetType: "user",
    targetId: actor.id,
    summary: `${actor.username} ended one of their sessions`,
  });
}

/** An admin ends every session of a user (who must sign in again). */
export async function endUserSessions(admin: Actor, userId: string): Promise<{ username: string; ended: number }> {
  return runInTransaction(async (tx) => {
    const user = await getUserById(userId, tx);
    if (!user) throw new UserNotFoundError();
    const ended = await deleteUserSessions(tx, user.id);
    await recordAudit(tx, admin, {
      action: "user.sessions-end",
      targetType: "user",
      targetId: user.id,
      summary: `Ended the sessions of ${user.username} (${ended})`,
    });
    return { username: user.username, ended };
  });
}
