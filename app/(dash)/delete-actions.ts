"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requirePermission } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { deleteSite, deleteTunnel } from "@/lib/inventory/edit-inventory";
import { AppError } from "@/lib/errors";

export async function deleteTunnelAction(tunnelId: string): Promise<{ message: string }> {
  try {
    const user = await requirePermission(canManageInventory, "delete tunnels");
    await deleteTunnel({ id: user.id, username: user.username }, tunnelId);
  } catch (e) {
    if (e instanceof AppError) return { message: e.userMessage };
    throw e;
  }
  revalidatePath("/", "layout");
  redirect("/tunnels");
}

export async function deleteSiteAction(siteId: string): Promise<{ message: string }> {
  try {
    const user = await requirePermission(canManageInventory, "delete sites");
    await deleteSite({ id: user.id, username: user.username }, siteId);
  } catch (e) {
    if (e instanceof AppError) return { message: e.userMessage };
    throw e;
  }
  revalidatePath("/", "layout");
  redirect("/sites");
}
