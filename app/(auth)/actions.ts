"use server";
// Sign-in, sign-out and first-start admin creation.
import { redirect } from "next/navigation";
import { createFirstAdmin } from "@/lib/inventory/accounts";
import { authenticate, recordSignIn } from "@/lib/inventory/sign-in";
import { endSession, startSession } from "@/lib/auth/session";
import { formFields, type FormState } from "@/lib/inventory/form-state";
import { runFormAction } from "@/lib/inventory/run-form-action";
import { getRequestClient } from "@/lib/auth/request-client";


export async function signIn(_prev: FormState, fd: FormData): Promise<FormState> {
  const state = await runFormAction(async () => {
    const f = formFields(fd);
    if (!f.username || !f.password) {
      return { ok: false, fieldErrors: { ...(f.username ? {} : { username: "Enter your user name" }), ...(f.password ? {} : { password: "Enter your password" }) } };
    }
    const client = (await getRequestClient()).address;
    const user = await authenticate(f.username, f.password, client);
    await startSession(user.id);
    await recordSignIn(user, client);
    return { ok: true };
  });
  if (state.ok) redirect("/");
  return state;
}

export async function setupAdmin(_prev: FormState, fd: FormData): Promise<FormState> {
  const state = await runFormAction(async () => {
    const user = await createFirstAdmin(formFields(fd));
    await startSession(user.id);
    return { ok: true };
  });
  if (state.ok) redirect("/");
  return state;
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect("/login");
}
