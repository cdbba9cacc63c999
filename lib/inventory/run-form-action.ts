// Turns expected failures of a form action into a FormState for useActionState.
// Unexpected errors are rethrown (Next's redirect() also travels as an error).
// Actions made with lib/actions/action-client map failures the same way themselves.
import "server-only";
import { toActionFailure } from "@/lib/actions/action-failure";
import type { FormState } from "@/lib/inventory/form-state";

export async function runFormAction(fn: () => Promise<FormState>): Promise<FormState> {
  try {
    return await fn();
  } catch (e) {
    const failure = toActionFailure(e);
    if (failure) return failure;
    throw e;
  }
}
