"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageProfiles } from "@/lib/auth/permissions";
import { addCryptoProfile } from "@/lib/inventory/crypto-profiles";
import type { FormState } from "@/lib/inventory/form-state";

export const addCryptoProfileAction = authenticatedAction({
  name: "addCryptoProfile",
  can: canManageProfiles,
  what: "define crypto profiles",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]): Promise<FormState> => {
    const { id, profile, findings } = await addCryptoProfile(actor, fd);
    revalidatePath("/profiles");
    revalidatePath("/sites/new");
    const lint =
      findings.length === 0 ? "no lint findings" : `${findings.length} lint finding${findings.length === 1 ? "" : "s"}: see the list`;
    return { ok: true, id, message: `Created ${profile.name} (${lint}).` };
  },
});
