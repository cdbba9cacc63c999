// What an admin does to an existing account. Each change is one transaction with its
// audit row.
import "server-only";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { getUserById } from "@/lib/db/users";
import { clearAccountFailures } from "@/lib/db/sign-in-attempts";
import { AppError } from "@/lib/errors";

export class UserNotFoundError extends AppError {
  constructor() {
    super("not_found", "That user no longer exists.");
  }
}

/** Forgets the account's failed sign-ins, so no client waits for it any more. */
export async function clearSignInDelay(actor: AuditActor, userId: string) {
  return runInTransaction(async (tx) => {
    const user = await getUserById(userId, tx);
    if (!user) throw new UserNotFoundError();
    const cleared = await clearAccountFailures(tx, user.username);
    await recordAudit(tx, actor, { action: "user.sign-in-delay-clear", targetType: "user", targetId: user.id, summary: `Cleared the sign-in delay of ${user.username} (${cleared} failed sign-ins forgotten)` });
    return { username: user.username, cleared };
  });
}
