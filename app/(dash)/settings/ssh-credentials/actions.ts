"use server";
// Named SSH credentials from the browser: admins create, rotate and delete them; the work
// is in lib/credentials.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, idArg, previousStateArg } from "@/lib/actions/action-client";
import { canManageCredentials } from "@/lib/auth/permissions";
import { createSshCredential, deleteSshCredential } from "@/lib/credentials/ssh-credentials";
import { startCredentialRotation } from "@/lib/credentials/rotate-credential";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import type { RotateStart } from "@/app/(dash)/tunnels/rotate-actions";

export type CreateCredentialState = FormState & { publicKey?: string; fingerprint?: string; command?: string };

export const createCredentialAction = authenticatedAction({
  name: "createSshCredential",
  can: canManageCredentials,
  what: "manage SSH credentials",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ actor }, [, fd]): Promise<CreateCredentialState> => {
    const c = await createSshCredential(actor, formFields(fd));
    revalidatePath("/settings/ssh-credentials");
    return {
      ok: true,
      message: `Created ${c.name}. Add its public key on each router (the command below), then pick it for the gateways.`,
      publicKey: c.publicKey,
      fingerprint: c.fingerprint,
      command: c.command,
    };
  },
});

export const rotateCredentialAction = authenticatedAction({
  name: "rotateSshCredential",
  can: canManageCredentials,
  what: "manage SSH credentials",
  args: z.tuple([idArg]),
  run: async ({ actor }, [id]): Promise<RotateStart> => {
    const jobId = await startCredentialRotation(actor, id);
    revalidatePath("/settings/ssh-credentials");
    return { ok: true, jobId, tunnels: 0, skipped: [] };
  },
});

export const deleteCredentialAction = authenticatedAction({
  name: "deleteSshCredential",
  can: canManageCredentials,
  what: "manage SSH credentials",
  args: z.tuple([idArg]),
  run: async ({ actor }, [id]): Promise<FormState> => {
    await deleteSshCredential(actor, id);
    revalidatePath("/settings/ssh-credentials");
    return { ok: true, message: "Deleted." };
  },
});
