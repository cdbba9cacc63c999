"use server";
// An admin's work on accounts. Each action goes through the action wrapper
// (lib/actions/action-client.ts: authenticate → authorize → validate → run), then revalidates.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { authenticatedAction, formDataArg, idArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageUsers } from "@/lib/auth/permissions";
import { addUser } from "@/lib/inventory/accounts";
import { changeRole, clearSignInDelay, deleteUser, resetPassword, setDisabled } from "@/lib/inventory/account-lifecycle";
import { endUserSessions } from "@/lib/inventory/sessions";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import type { UserRecord } from "@/lib/db/users";

/** The signed-in admin as the account use cases take them. */
const actorOf = (admin: UserRecord) => ({ id: admin.id, username: admin.username });

export const addUserAction = authenticatedAction({
  name: "addUser",
  can: canManageUsers,
  what: "manage users",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]): Promise<FormState> => {
    const user = await addUser(actor, formFields(fd));
    revalidatePath("/users");
    return { ok: true, message: `Added ${user.username} (${user.role}).` };
  },
});

export const changeRoleAction = authenticatedAction({
  name: "changeRole",
  can: canManageUsers,
  what: "manage users",
  args: z.tuple([idArg, previousStateArg, formDataArg]),
  run: async ({ user: admin }, [userId, , fd]): Promise<FormState> => {
    const user = await changeRole(actorOf(admin), userId, formFields(fd));
    revalidatePath("/users", "layout");
    return { ok: true, message: `${user.username} is now ${user.role}.` };
  },
});

export const resetPasswordAction = authenticatedAction({
  name: "resetPassword",
  can: canManageUsers,
  what: "manage users",
  args: z.tuple([idArg, previousStateArg, formDataArg]),
  run: async ({ user: admin }, [userId, , fd]): Promise<FormState> => {
    const user = await resetPassword(actorOf(admin), userId, formFields(fd));
    revalidatePath("/users", "layout");
    return { ok: true, message: `New password set for ${user.username}; their sessions have ended.` };
  },
});

export const setDisabledAction = authenticatedAction({
  name: "setDisabled",
  can: canManageUsers,
  what: "manage users",
  args: z.tuple([idArg, z.boolean()]),
  run: async ({ user: admin }, [userId, disabled]): Promise<FormState> => {
    const user = await setDisabled(actorOf(admin), userId, disabled);
    revalidatePath("/users", "layout");
    return {
      ok: true,
      message: disabled ? `${user.username} is disabled; their sessions have ended.` : `${user.username} can sign in again.`,
    };
  },
});

export const endUserSessionsAction = authenticatedAction({
  name: "endUserSessions",
  can: canManageUsers,
  what: "manage users",
  args: z.tuple([idArg]),
  run: async ({ user: admin }, [userId]): Promise<FormState> => {
    const { username, ended } = await endUserSessions(actorOf(admin), userId);
    revalidatePath("/users", "layout");
    return { ok: true, message: `Ended ${ended} session${ended === 1 ? "" : "s"} of ${username}.` };
  },
});

export const clearSignInDelayAction = authenticatedAction({
  name: "clearSignInDelay",
  can: canManageUsers,
  what: "manage users",
  args: z.tuple([idArg]),
  run: async ({ actor }, [userId]): Promise<FormState> => {
    const { username, cleared } = await clearSignInDelay(actor, userId);
    revalidatePath("/users", "layout");
    return { ok: true, message: `Cleared the sign-in delay of ${username} (${cleared} failed sign-ins forgotten).` };
  },
});

export const deleteUserAction = authenticatedAction({
  name: "deleteUser",
  can: canManageUsers,
  what: "manage users",
  args: z.tuple([idArg]),
  run: async ({ user: admin }, [userId]): Promise<FormState> => {
    await deleteUser(actorOf(admin), userId);
    revalidatePath("/users", "layout");
    redirect("/users");
  },
});
