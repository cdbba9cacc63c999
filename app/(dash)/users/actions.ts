"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageUsers } from "@/lib/auth/permissions";
import { addUser } from "@/lib/inventory/accounts";
import { formFields, type FormState } from "@/lib/inventory/form-state";

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
