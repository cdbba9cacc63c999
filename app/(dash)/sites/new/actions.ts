"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageInventory } from "@/lib/auth/permissions";
import { checkBranchOfficeStep, createBranchOffice } from "@/lib/inventory/branch-office";
import { LAST_STEP } from "@/lib/inventory/branch-office-steps";
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

/** The wizard's Next: the final submit's rules for the steps reached so far; writes nothing. */
export const checkBranchOfficeStepAction = authenticatedAction({
  name: "checkBranchOfficeStep",
  can: canManageInventory,
  what: "add sites",
  args: z.tuple([z.number().int().min(0).max(LAST_STEP), formDataArg]),
  run: async (_ctx, [step, fd]): Promise<FormState> => {
    const fieldErrors = await checkBranchOfficeStep(formFields(fd), step);
    if (Object.keys(fieldErrors).length === 0) return { ok: true };
    const n = Object.keys(fieldErrors).length;
    return { ok: false, fieldErrors, message: `Please correct the ${n} highlighted field${n === 1 ? "" : "s"} before going on.` };
  },
});
