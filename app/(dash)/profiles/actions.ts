"use server";
import { revalidatePath } from "next/cache";
import { requirePermission } from "@/lib/auth/session";
import { canManageProfiles } from "@/lib/auth/permissions";
import { addCryptoProfile } from "@/lib/inventory/crypto-profiles";
import type { FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";

export async function addCryptoProfileAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const admin = await requirePermission(canManageProfiles, "define crypto profiles");
    const { id, profile, findings } = await addCryptoProfile({ id: admin.id, username: admin.username }, fd);
    revalidatePath("/profiles");
    revalidatePath("/sites/new");
    const lint = findings.length === 0 ? "no lint findings" : `${findings.length} lint finding${findings.length === 1 ? "" : "s"}: see the list`;
    return { ok: true, id, message: `Created ${profile.name} (${lint}).` };
  });
}
