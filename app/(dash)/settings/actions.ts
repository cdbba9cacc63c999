"use server";
// The signed-in user's own account: their sessions.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireSession } from "@/lib/auth/session";
import { endOtherSessions, endOwnSession } from "@/lib/inventory/sessions";
import type { FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";
import { ValidationError } from "@/lib/errors";

const sessionIdSchema = z.string().regex(/^[0-9a-f]{64}$/);

export async function endSessionAction(sessionId: string): Promise<FormState> {
  return runFormAction(async () => {
    const id = sessionIdSchema.safeParse(sessionId);
    if (!id.success) throw new ValidationError({}, "That is not a session.");
    const { session, user } = await requireSession();
    await endOwnSession({ id: user.id, username: user.username }, id.data, session.id);
    revalidatePath("/settings");
    return { ok: true, message: "Session ended." };
  });
}

export async function endOtherSessionsAction(): Promise<FormState> {
  return runFormAction(async () => {
    const { session, user } = await requireSession();
    const ended = await endOtherSessions({ id: user.id, username: user.username }, session.id);
    revalidatePath("/settings");
    return { ok: true, message: `Ended ${ended} other session${ended === 1 ? "" : "s"}.` };
  });
}
