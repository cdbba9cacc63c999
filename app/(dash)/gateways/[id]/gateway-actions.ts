"use server";
import { revalidatePath } from "next/cache";
import { requirePermission } from "@/lib/auth/session";
import { canAcceptHostKey, canManageInventory, canOperateTunnels } from "@/lib/auth/permissions";
import { updateGatewaySshAccess } from "@/lib/inventory/edit-inventory";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";
import { acceptHostKey, checkHostKey } from "@/lib/inventory/host-key";
import { deployPendingOnGateway } from "@/lib/inventory/tunnel-jobs";
import { AppError } from "@/lib/errors";

export type ActionResult = { ok: boolean; message: string };

async function guarded(fn: () => Promise<string>): Promise<ActionResult> {
  try {
    return { ok: true, message: await fn() };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.userMessage };
    throw e;
  }
}

export async function checkHostKeyAction(gatewayId: string): Promise<ActionResult> {
  return guarded(async () => {
    await requirePermission(canOperateTunnels, "contact gateways");
    const { offered, pinned } = await checkHostKey(gatewayId);
    revalidatePath(`/gateways/${gatewayId}`);
    return offered === pinned ? `The gateway offers the pinned key ${offered}.` : `The gateway offers ${offered}.`;
  });
}

export async function acceptHostKeyAction(gatewayId: string, fingerprint: string): Promise<ActionResult> {
  return guarded(async () => {
    const user = await requirePermission(canAcceptHostKey, "trust SSH host keys");
    await acceptHostKey({ id: user.id, username: user.username }, gatewayId, fingerprint);
    revalidatePath(`/gateways/${gatewayId}`);
    return `Pinned ${fingerprint}.`;
  });
}

export async function deployPendingAction(gatewayId: string): Promise<ActionResult> {
  return guarded(async () => {
    const user = await requirePermission(canOperateTunnels, "deploy tunnels");
    const { jobId, tunnels } = await deployPendingOnGateway({ id: user.id, username: user.username }, gatewayId);
    revalidatePath(`/gateways/${gatewayId}`);
    return `Deploying ${tunnels} tunnel(s) in job ${jobId}; see Jobs.`;
  });
}

export async function updateSshAccessAction(gatewayId: string, _prev: FormState, fd: FormData): Promise<FormState> {
  return runFormAction(async () => {
    const user = await requirePermission(canManageInventory, "change gateways");
    await updateGatewaySshAccess({ id: user.id, username: user.username }, gatewayId, formFields(fd));
    revalidatePath(`/gateways/${gatewayId}`);
    return { ok: true, message: "SSH access saved." };
  });
}
