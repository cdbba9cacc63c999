"use server";
// API tokens from the browser: any signed-in user creates and revokes their own (an
// admin revokes anyone's), through the action wrapper; lib/api/tokens.ts does the work.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, formDataArg, idArg, previousStateArg } from "@/lib/actions/action-client";
import { anySignedInUser } from "@/lib/auth/permissions";
import { createApiToken, isTokenScope, revokeApiToken } from "@/lib/api/tokens";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { ValidationError } from "@/lib/errors";

export type CreateTokenState = FormState & { token?: string };

/** Expiry choices of the form, in days ("" = never). */
const EXPIRY_DAYS = ["30", "90", "365", ""] as const;

export const createTokenAction = authenticatedAction({
  name: "createApiToken",
  can: anySignedInUser,
  what: "create API tokens",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ({ user }, [, fd]): Promise<CreateTokenState> => {
    const f = formFields(fd);
    const scope = f.scope ?? "";
    if (!isTokenScope(scope)) throw new ValidationError({ scope: "Choose one of the scopes." });
    const days = f.expiresInDays ?? "";
    if (!(EXPIRY_DAYS as readonly string[]).includes(days)) throw new ValidationError({ expiresInDays: "Choose one of the expiries." });
    const expiresAt = days ? new Date(Date.now() + Number(days) * 86_400_000) : null;
    const { token } = await createApiToken({ userId: user.id, name: f.name ?? "", scope, expiresAt });
    revalidatePath("/settings/tokens");
    return { ok: true, message: "Token created. Copy it now: it is shown only this once.", token };
  },
});

export const revokeTokenAction = authenticatedAction({
  name: "revokeApiToken",
  can: anySignedInUser,
  what: "revoke API tokens",
  args: z.tuple([idArg]),
  run: async ({ user }, [id]): Promise<FormState> => {
    await revokeApiToken(user, id);
    revalidatePath("/settings/tokens");
    return { ok: true, message: "Revoked." };
  },
});
