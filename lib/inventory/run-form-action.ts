// Turns expected failures of a form action into a FormState for useActionState.
// Unexpected errors are rethrown (Next's redirect() also travels as an error).
import "server-only";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log/logger";
import type { FormState } from "@/lib/inventory/form-state";

function prismaCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

export async function runFormAction(fn: () => Promise<FormState>): Promise<FormState> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError) {
      return { ok: false, message: e.userMessage, fieldErrors: e.fieldErrors };
    }
    const code = prismaCode(e);
    if (code === "P2002" || code === "P2034") {
      // A concurrent change took a unique name or address between our check and write.
      logger.warn({ code }, "form action lost a race");
      return { ok: false, message: "Another change was saved at the same moment. Nothing was written; please submit again." };
    }
    throw e;
  }
}
