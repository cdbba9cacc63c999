"use server";
// The signed-in user's own account: their password and their sessions.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireSession } from "@/lib/auth/session";
import { getRequestClient } from "@/lib/auth/request-client";
import { changeOwnPassword } from "@/lib/inventory/account-lifecycle";
import { endOtherSessions, endOwnSession } from "@/lib/inventory/sessions";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";
import { ValidationError } from "@/lib/errors";

const sessionIdSchema = z.string().regex(/^[0-9a-f]{64}$/);

export async function changePasswordAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const { session, user } = await requireSession();
    await changeOwnPassword({ id: user.id, username: user.username }, session.id, (await getRequestClient()).address, formFields(fd));
    revalidatePath("/settings");
    return { ok: true, message: "Password changed. Your other sessions have ended." };
  });
}

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
