// Turns expected failures of a form action into a FormState for useActionState.
// Unexpected errors are rethrown (Next's redirect() also travels as an error).
import "server-only";
import { AppError } from "@/lib/errors";
import { toNeutralDbError, UniqueViolation, WriteConflict } from "@/lib/db/errors";
import { logger } from "@/lib/log/logger";
import type { FormState } from "@/lib/inventory/form-state";

export async function runFormAction(fn: () => Promise<FormState>): Promise<FormState> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError) {
      return { ok: false, message: e.userMessage, fieldErrors: e.fieldErrors };
    }
    const db = toNeutralDbError(e);
    if (db instanceof UniqueViolation || db instanceof WriteConflict) {
      // A concurrent change took a unique name or address between our check and write.
      logger.warn({ error: db.name }, "form action lost a race");
      return { ok: false, message: "Another change was saved at the same moment. Nothing was written; please submit again." };
    }
    throw e;
  }
}
