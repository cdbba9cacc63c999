"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageInventory } from "@/lib/auth/permissions";
import { createTunnel } from "@/lib/inventory/host-tunnel";
import { formFields, type FormState } from "@/lib/inventory/form-state";

export const addTunnel = authenticatedAction({
  name: "addTunnel",
  can: canManageInventory,
  what: "add tunnels",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]): Promise<FormState> => {
    const { tunnelId } = await createTunnel(actor, formFields(fd));
    revalidatePath("/", "layout");
    return { ok: true, id: tunnelId, message: "Tunnel added." };
  },
});
