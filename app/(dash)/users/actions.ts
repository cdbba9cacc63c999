"use server";
import { revalidatePath } from "next/cache";
import { requirePermission } from "@/lib/auth/session";
import { canManageUsers } from "@/lib/auth/permissions";
import { addUser } from "@/lib/inventory/accounts";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";

export async function addUserAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const admin = await requirePermission(canManageUsers, "manage users");
    const user = await addUser({ id: admin.id, username: admin.username }, formFields(fd));
    revalidatePath("/users");
    return { ok: true, message: `Added ${user.username} (${user.role}).` };
  });
}
