"use client";
import { useActionState } from "react";
import { FormMessage, SubmitButton, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { initialFormState } from "@/lib/inventory/form-state";
import { setupAdmin } from "../actions";

export function SetupForm() {
  const [state, action, pending] = useActionState(setupAdmin, initialFormState);
  return (
    <ActionForm action={action} state={state} className="mt-6 space-y-4">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField
        name="setupCode"
        label="Setup code"
        autoComplete="off"
        error={state.fieldErrors?.setupCode}
        hint="Printed on the server's console and in its log when it started: “one-time setup code: XXXX-XXXX-XXXX-XXXX”"
      />
      <TextField
        name="username"
        label="Admin user name"
        autoComplete="username"
        error={state.fieldErrors?.username}
        hint="3–32 characters: lowercase letters, digits, . _ -"
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        error={state.fieldErrors?.password}
        hint="At least 12 characters, hard to guess: a few uncommon words work well"
      />
      <TextField
        name="confirm"
        label="Repeat the password"
        type="password"
        autoComplete="new-password"
        error={state.fieldErrors?.confirm}
      />
      <SubmitButton pending={pending} pendingText="Creating…">
        Create admin and sign in
      </SubmitButton>
    </ActionForm>
  );
}
