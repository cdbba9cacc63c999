"use client";
import { useActionState } from "react";
import { FormMessage, SubmitButton, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { initialFormState } from "@/lib/inventory/form-state";
import { changePasswordAction } from "./actions";

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField name="current" type="password" label="Current password" error={e.current} autoComplete="current-password" />
      <TextField
        name="password"
        type="password"
        label="New password"
        error={e.password}
        autoComplete="new-password"
        hint="At least 12 characters, hard to guess"
      />
      <TextField name="confirm" type="password" label="Repeat the new password" error={e.confirm} autoComplete="new-password" />
      <SubmitButton pending={pending} pendingText="Changing…">
        Change password
      </SubmitButton>
    </ActionForm>
  );
}
