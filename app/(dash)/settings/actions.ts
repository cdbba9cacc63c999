"use server";
// The signed-in user's own account: their password and their sessions. Any signed-in
// user may run these (on their own account only), through the action wrapper
// (lib/actions/action-client.ts).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, previousStateArg } from "@/lib/actions/action-client";
import { requireSession } from "@/lib/auth/session";
import { anySignedInUser } from "@/lib/auth/permissions";
import { getRequestClient } from "@/lib/auth/request-client";
import { changeOwnPassword } from "@/lib/inventory/account-lifecycle";
import { endOtherSessions, endOwnSession } from "@/lib/inventory/sessions";
import { formFields, type FormState } from "@/lib/inventory/form-state";

/** A session's id as the sessions list shows it (the SHA-256 of its token). */
const sessionIdArg = z.string().regex(/^[0-9a-f]{64}$/, { error: "not a session id" });

export const changePasswordAction = authenticatedAction({
  name: "changeOwnPassword",
  can: anySignedInUser,
  what: "change your password",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async (_ctx, [, fd]): Promise<FormState> => {
    const { session, user } = await requireSession();
    await changeOwnPassword({ id: user.id, username: user.username }, session.id, (await getRequestClient()).address, formFields(fd));
    revalidatePath("/settings");
    return { ok: true, message: "Password changed. Your other sessions have ended." };
  },
});

export const endSessionAction = authenticatedAction({
  name: "endOwnSession",
  can: anySignedInUser,
  what: "end your sessions",
  args: z.tuple([sessionIdArg]),
  run: async (_ctx, [sessionId]): Promise<FormState> => {
    const { session, user } = await requireSession();
    await endOwnSession({ id: user.id, username: user.username }, sessionId, session.id);
    revalidatePath("/settings");
    return { ok: true, message: "Session ended." };
  },
});

export const endOtherSessionsAction = authenticatedAction({
  name: "endOtherSessions",
  can: anySignedInUser,
  what: "end your sessions",
  args: z.tuple([]),
  run: async (): Promise<FormState> => {
    const { session, user } = await requireSession();
    const ended = await endOtherSessions({ id: user.id, username: user.username }, session.id);
    revalidatePath("/settings");
    return { ok: true, message: `Ended ${ended} other session${ended === 1 ? "" : "s"}.` };
  },
});
