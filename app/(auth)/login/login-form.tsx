"use client";
import { useActionState } from "react";
import { FormMessage, SubmitButton, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { initialFormState } from "@/lib/inventory/form-state";
import { signIn } from "../actions";

export function LoginForm() {
  const [state, action, pending] = useActionState(signIn, initialFormState);
  return (
    <ActionForm action={action} state={state} className="mt-6 space-y-4">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField name="username" label="User name" autoComplete="username" error={state.fieldErrors?.username} />
      <TextField name="password" label="Password" type="password" autoComplete="current-password" error={state.fieldErrors?.password} />
      <SubmitButton pending={pending} pendingText="Signing in…">
        Sign in
      </SubmitButton>
    </ActionForm>
  );
}
