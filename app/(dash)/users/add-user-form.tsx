"use client";
import { useActionState } from "react";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { initialFormState } from "@/lib/inventory/form-state";
import { addUserAction } from "./actions";

export function AddUserForm() {
  const [state, action, pending] = useActionState(addUserAction, initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField name="username" label="User name" error={e.username} />
      <SelectField
        name="role"
        label="Role"
        defaultValue="viewer"
        error={e.role}
        options={[
          { value: "viewer", label: "Viewer (read only)" },
          { value: "operator", label: "Operator" },
          { value: "admin", label: "Admin" },
        ]}
      />
      <TextField
        name="password"
        type="password"
        label="Initial password"
        error={e.password}
        autoComplete="new-password"
        hint="At least 12 characters, hard to guess"
      />
      <TextField name="confirm" type="password" label="Repeat the password" error={e.confirm} autoComplete="new-password" />
      <SubmitButton pending={pending} pendingText="Adding…">
        Add user
      </SubmitButton>
    </ActionForm>
  );
}
