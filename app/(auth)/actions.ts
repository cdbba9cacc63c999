"use server";
// Sign-in, sign-out and first-start admin creation: they run before anyone is signed in,
// through the action wrapper's publicAction (lib/actions/action-client.ts: arguments
// validated, expected failures answered, no session check).
import { redirect } from "next/navigation";
import { z } from "zod";
import { formDataArg, previousStateArg, publicAction } from "@/lib/actions/action-client";
import { createFirstAdmin } from "@/lib/inventory/accounts";
import { authenticate, recordSignIn } from "@/lib/inventory/sign-in";
import { endSession, startSession } from "@/lib/auth/session";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { getRequestClient } from "@/lib/auth/request-client";

export const signIn = publicAction({
  name: "signIn",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ([, fd]): Promise<FormState> => {
    const f = formFields(fd);
    if (!f.username || !f.password) {
      return {
        ok: false,
        fieldErrors: {
          ...(f.username ? {} : { username: "Enter your user name" }),
          ...(f.password ? {} : { password: "Enter your password" }),
        },
      };
    }
    const client = (await getRequestClient()).address;
    const user = await authenticate(f.username, f.password, client);
    await startSession(user.id);
    await recordSignIn(user, client);
    redirect("/");
  },
});

export const setupAdmin = publicAction({
  name: "setupAdmin",
  args: z.tuple([previousStateArg, formDataArg]),
  run: async ([, fd]): Promise<FormState> => {
    const user = await createFirstAdmin(formFields(fd));
    await startSession(user.id);
    redirect("/");
  },
});

/** The sign-out form's action: it gets the (empty) form, which is not read. */
export const signOut = publicAction({
  name: "signOut",
  args: z.tuple([formDataArg.optional()]),
  run: async (): Promise<void> => {
    await endSession();
    redirect("/login");
  },
});
