"use server";
// An admin's work on accounts. Each action: validate → authorize → call lib → revalidate.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requirePermission } from "@/lib/auth/session";
import { canManageUsers } from "@/lib/auth/permissions";
import { addUser } from "@/lib/inventory/accounts";
import { changeRole, clearSignInDelay, deleteUser, resetPassword, setDisabled } from "@/lib/inventory/account-lifecycle";
import { endUserSessions } from "@/lib/inventory/sessions";
import { userIdSchema } from "@/lib/inventory/account-forms";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";
import { ValidationError } from "@/lib/errors";

function parseUserId(raw: unknown): string {
  const id = userIdSchema.safeParse(raw);
  if (!id.success) throw new ValidationError({}, "That is not a user.");
  return id.data;
}

async function admin() {
  const a = await requirePermission(canManageUsers, "manage users");
  return { id: a.id, username: a.username };
}

export async function addUserAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const actor = await admin();
    const user = await addUser(actor, formFields(fd));
    revalidatePath("/users");
    return { ok: true, message: `Added ${user.username} (${user.role}).` };
  });
}

export async function changeRoleAction(userId: string, _prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const id = parseUserId(userId);
    const user = await changeRole(await admin(), id, formFields(fd));
    revalidatePath("/users", "layout");
    return { ok: true, message: `${user.username} is now ${user.role}.` };
  });
}

export async function resetPasswordAction(userId: string, _prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const id = parseUserId(userId);
    const user = await resetPassword(await admin(), id, formFields(fd));
    revalidatePath("/users", "layout");
    return { ok: true, message: `New password set for ${user.username}; their sessions have ended.` };
  });
}

export async function setDisabledAction(userId: string, disabled: boolean): Promise<FormState> {
  return runFormAction(async () => {
    const id = parseUserId(userId);
    const flag = z.boolean().parse(disabled);
    const user = await setDisabled(await admin(), id, flag);
    revalidatePath("/users", "layout");
    return { ok: true, message: flag ? `${user.username} is disabled; their sessions have ended.` : `${user.username} can sign in again.` };
  });
}

export async function endUserSessionsAction(userId: string): Promise<FormState> {
  return runFormAction(async () => {
    const id = parseUserId(userId);
    const { username, ended } = await endUserSessions(await admin(), id);
    revalidatePath("/users", "layout");
    return { ok: true, message: `Ended ${ended} session${ended === 1 ? "" : "s"} of ${username}.` };
  });
}

export async function clearSignInDelayAction(userId: string): Promise<FormState> {
  return runFormAction(async () => {
    const id = parseUserId(userId);
    const { username, cleared } = await clearSignInDelay(await admin(), id);
    revalidatePath("/users", "layout");
    return { ok: true, message: `Cleared the sign-in delay of ${username} (${cleared} failed sign-ins forgotten).` };
  });
}

export async function deleteUserAction(userId: string): Promise<FormState> {
  const state = await runFormAction(async () => {
    const id = parseUserId(userId);
    await deleteUser(await admin(), id);
    revalidatePath("/users", "layout");
    return { ok: true };
  });
  if (state.ok) redirect("/users");
  return state;
}
