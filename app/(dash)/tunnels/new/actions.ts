"use server";
import { revalidatePath } from "next/cache";
import { requirePermission } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { createTunnel } from "@/lib/inventory/host-tunnel";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";

export async function addTunnel(_prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const user = await requirePermission(canManageInventory, "add tunnels");
    const { tunnelId } = await createTunnel({ id: user.id, username: user.username }, formFields(fd));
    revalidatePath("/", "layout");
    return { ok: true, id: tunnelId, message: "Tunnel added." };
  });
}
