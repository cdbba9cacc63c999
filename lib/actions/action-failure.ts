// Expected failures of an action, as the result its page shows: typed app errors with
// their message and field errors, and a write that lost a race to a concurrent one.
// Anything else is not expected here (null): the caller rethrows it as a bug.
import "server-only";
import { AppError } from "@/lib/errors";
import { toNeutralDbError, UniqueViolation, WriteConflict } from "@/lib/db/errors";
import { logger } from "@/lib/log/logger";

export type ActionFailure = { ok: false; message: string; fieldErrors?: Record<string, string> };

export const LOST_RACE_MESSAGE = "Another change was saved at the same moment. Nothing was written; please submit again.";

export function toActionFailure(e: unknown, action?: string): ActionFailure | null {
  if (e instanceof AppError) return { ok: false, message: e.userMessage, fieldErrors: e.fieldErrors };
  const db = toNeutralDbError(e);
  if (db instanceof UniqueViolation || db instanceof WriteConflict) {
    // A concurrent change took a unique name or address between our check and write.
    logger.warn({ action, error: db.name }, "action lost a race");
    return { ok: false, message: LOST_RACE_MESSAGE };
  }
  return null;
}
