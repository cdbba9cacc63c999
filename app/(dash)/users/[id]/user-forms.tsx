"use client";
import { useActionState } from "react";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { initialFormState } from "@/lib/inventory/form-state";
import { changeRoleAction, resetPasswordAction } from "../actions";

const ROLE_OPTIONS = [
  { value: "viewer", label: "Viewer (read only)" },
  { value: "operator", label: "Operator" },
  { value: "admin", label: "Admin" },
];

export function RoleForm({ userId, role }: { userId: string; role: string }) {
  const [state, action, pending] = useActionState(changeRoleAction.bind(null, userId), initialFormState);
  return (
    <ActionForm action={action} state={state} className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <SelectField name="role" label="Role" defaultValue={role} error={state.fieldErrors?.role} options={ROLE_OPTIONS} />
      <SubmitButton pending={pending} pendingText="Saving…">
        Save role
      </SubmitButton>
    </ActionForm>
  );
}

export function ResetPasswordForm({ userId }: { userId: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction.bind(null, userId), initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField
        name="password"
        type="password"
        label="New password"
        error={e.password}
        autoComplete="new-password"
        hint="At least 12 characters, hard to guess. Their sessions end."
      />
      <TextField name="confirm" type="password" label="Repeat the new password" error={e.confirm} autoComplete="new-password" />
      <SubmitButton pending={pending} pendingText="Setting…">
        Set password
      </SubmitButton>
    </ActionForm>
  );
}
