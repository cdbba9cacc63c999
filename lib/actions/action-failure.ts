// Expected failures of an action, as the result its page shows: typed app errors with
// their message and field errors, a write that lost a race to a concurrent one, and a
// database that cannot be written (shown in the form, so what was typed stays there).
// Anything else is not expected here (null): the caller rethrows it as a bug.
import "server-only";
import { AppError } from "@/lib/errors";
import { StorageUnavailable, toNeutralDbError, UniqueViolation, WriteConflict } from "@/lib/db/errors";
import { logger } from "@/lib/log/logger";

export type ActionFailure = { ok: false; message: string; fieldErrors?: Record<string, string> };

export const LOST_RACE_MESSAGE = "Another change was saved at the same moment. Nothing was written; please submit again.";
export const STORAGE_MESSAGE =
  "Gatewarden could not save this: its database cannot be written (read-only or full storage). Nothing was saved and your input is still here; ask the administrator to check the server's disk, then submit again.";

export function toActionFailure(e: unknown, action?: string): ActionFailure | null {
  if (e instanceof AppError) return { ok: false, message: e.userMessage, fieldErrors: e.fieldErrors };
  const db = toNeutralDbError(e);
  if (db instanceof UniqueViolation || db instanceof WriteConflict) {
    // A concurrent change took a unique name or address between our check and write.
    logger.warn({ action, error: db.name }, "action lost a race");
    return { ok: false, message: LOST_RACE_MESSAGE };
  }
  if (db instanceof StorageUnavailable) {
    logger.error({ action, err: db.cause }, "the database cannot be written");
    return { ok: false, message: STORAGE_MESSAGE };
  }
  return null;
}
