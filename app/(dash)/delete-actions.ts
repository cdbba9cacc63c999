"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { authenticatedAction, idArg } from "@/lib/actions/action-client";
import { canManageInventory } from "@/lib/auth/permissions";
import { deleteSite, deleteTunnel } from "@/lib/inventory/edit-inventory";

export const deleteTunnelAction = authenticatedAction({
  name: "deleteTunnel",
  can: canManageInventory,
  what: "delete tunnels",
  args: z.tuple([idArg]),
  run: async ({ actor }, [tunnelId]) => {
    await deleteTunnel(actor, tunnelId);
    revalidatePath("/", "layout");
    redirect("/tunnels");
  },
});

export const deleteSiteAction = authenticatedAction({
  name: "deleteSite",
  can: canManageInventory,
  what: "delete sites",
  args: z.tuple([idArg]),
  run: async ({ actor }, [siteId]) => {
    await deleteSite(actor, siteId);
    revalidatePath("/", "layout");
    redirect("/sites");
  },
});
