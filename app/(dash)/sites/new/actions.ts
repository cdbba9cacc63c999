"use server";
import { revalidatePath } from "next/cache";
import { requirePermission } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { createBranchOffice } from "@/lib/inventory/branch-office";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";

export async function addBranchOffice(_prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const user = await requirePermission(canManageInventory, "add sites");
    const { siteId } = await createBranchOffice({ id: user.id, username: user.username }, formFields(fd));
    revalidatePath("/", "layout");
    return { ok: true, id: siteId, message: "Branch office added." };
  });
}
