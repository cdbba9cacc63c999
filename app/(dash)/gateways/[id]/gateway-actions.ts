"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, fingerprintArg, formDataArg, idArg, previousStateArg } from "@/lib/actions/action-client";
import { canAcceptHostKey, canManageCredentials, canManageInventory, canOperateTunnels } from "@/lib/auth/permissions";
import { convertGatewayKey } from "@/lib/credentials/ssh-credentials";
import { updateGatewaySshAccess } from "@/lib/inventory/edit-inventory";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { acceptHostKey, checkHostKey } from "@/lib/inventory/host-key";
import { deployPendingOnGateway } from "@/lib/inventory/tunnel-jobs";

export type ActionResult = { ok: boolean; message: string };

export const checkHostKeyAction = authenticatedAction({
  name: "checkHostKey",
  can: canOperateTunnels,
  what: "contact gateways",
  args: z.tuple([idArg]),
  run: async (_ctx, [gatewayId]): Promise<ActionResult> => {
    const { offered, pinned } = await checkHostKey(gatewayId);
    revalidatePath(`/gateways/${gatewayId}`);
    return { ok: true, message: offered === pinned ? `The gateway offers the pinned key ${offered}.` : `The gateway offers ${offered}.` };
  },
});

export const acceptHostKeyAction = authenticatedAction({
  name: "acceptHostKey",
  can: canAcceptHostKey,
  what: "trust SSH host keys",
  args: z.tuple([idArg, fingerprintArg]),
  run: async ({ actor }, [gatewayId, fingerprint]): Promise<ActionResult> => {
    await acceptHostKey(actor, gatewayId, fingerprint);
    revalidatePath(`/gateways/${gatewayId}`);
    return { ok: true, message: `Pinned ${fingerprint}.` };
  },
});

export const deployPendingAction = authenticatedAction({
  name: "deployPending",
  can: canOperateTunnels,
  what: "deploy tunnels",
  args: z.tuple([idArg]),
  run: async ({ actor }, [gatewayId]): Promise<ActionResult> => {
    const { jobId, tunnels } = await deployPendingOnGateway(actor, gatewayId);
    revalidatePath(`/gateways/${gatewayId}`);
    return { ok: true, message: `Deploying ${tunnels} tunnel(s) in job ${jobId}; see Jobs.` };
  },
});

export const updateSshAccessAction = authenticatedAction({
  name: "updateSshAccess",
  can: canManageInventory,
  what: "change gateways",
  args: z.tuple([idArg, previousStateArg, formDataArg]),
  run: async ({ actor }, [gatewayId, , fd]): Promise<FormState> => {
    await updateGatewaySshAccess(actor, gatewayId, formFields(fd));
    revalidatePath(`/gateways/${gatewayId}`);
    return { ok: true, message: "SSH access saved." };
  },
});

export const convertGatewayKeyAction = authenticatedAction({
  name: "convertGatewayKey",
  can: canManageCredentials,
  what: "manage SSH credentials",
  args: z.tuple([idArg, previousStateArg, formDataArg]),
  run: async ({ actor }, [gatewayId, , fd]): Promise<FormState> => {
    const { gateways } = await convertGatewayKey(actor, gatewayId, formFields(fd));
    revalidatePath(`/gateways/${gatewayId}`);
    revalidatePath("/settings/ssh-credentials");
    return { ok: true, message: `Now a named credential, used by ${gateways.join(", ")}.` };
  },
});
