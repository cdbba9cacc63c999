"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageInventory } from "@/lib/auth/permissions";
import { createBranchOffice } from "@/lib/inventory/branch-office";
import { formFields, type FormState } from "@/lib/inventory/form-state";

export const addBranchOffice = authenticatedAction({
  name: "addBranchOffice",
  can: canManageInventory,
  what: "add sites",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]): Promise<FormState> => {
    const { siteId } = await createBranchOffice(actor, formFields(fd));
    revalidatePath("/", "layout");
    return { ok: true, id: siteId, message: "Branch office added." };
  },
});
