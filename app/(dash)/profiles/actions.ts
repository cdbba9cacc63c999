"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, idArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageProfiles } from "@/lib/auth/permissions";
import { addCryptoProfile, cloneCryptoProfile, deleteCryptoProfile, editCryptoProfile } from "@/lib/inventory/crypto-profiles";
import type { FormState } from "@/lib/inventory/form-state";

const lintNote = (n: number) => (n === 0 ? "no lint findings" : `${n} lint finding${n === 1 ? "" : "s"}: see the list`);

function revalidateProfiles() {
  revalidatePath("/profiles");
  revalidatePath("/sites/new");
  revalidatePath("/tunnels/new");
}

export const addCryptoProfileAction = authenticatedAction({
  name: "addCryptoProfile",
  can: canManageProfiles,
  what: "define crypto profiles",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]): Promise<FormState> => {
    const { id, profile, findings } = await addCryptoProfile(actor, fd);
    revalidateProfiles();
    return { ok: true, id, message: `Created ${profile.name} (${lintNote(findings.length)}).` };
  },
});

export const editCryptoProfileAction = authenticatedAction({
  name: "editCryptoProfile",
  can: canManageProfiles,
  what: "edit crypto profiles",
  args: z.tuple([idArg, previousStateArg, formDataArg]),
  run: async ({ actor }, [id, , fd]): Promise<FormState> => {
    const { profile, findings } = await editCryptoProfile(actor, id, fd);
    revalidateProfiles();
    return { ok: true, id, message: `Saved ${profile.name} (${lintNote(findings.length)}).` };
  },
});

export const cloneCryptoProfileAction = authenticatedAction({
  name: "cloneCryptoProfile",
  can: canManageProfiles,
  what: "clone crypto profiles",
  args: z.tuple([idArg]),
  run: async ({ actor }, [id]): Promise<FormState> => {
    const { id: copyId, name } = await cloneCryptoProfile(actor, id);
    revalidateProfiles();
    return { ok: true, id: copyId, message: `Created ${name}; edit it below.` };
  },
});

export const deleteCryptoProfileAction = authenticatedAction({
  name: "deleteCryptoProfile",
  can: canManageProfiles,
  what: "delete crypto profiles",
  args: z.tuple([idArg]),
  run: async ({ actor }, [id]) => {
    const { name } = await deleteCryptoProfile(actor, id);
    revalidateProfiles();
    return { ok: true as const, message: `Deleted ${name}.` };
  },
});
