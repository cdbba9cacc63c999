"use client";
import { useActionState } from "react";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { createTokenAction, type CreateTokenState } from "./actions";

const initial: CreateTokenState = { ok: false };

export function CreateTokenForm({ scopes }: { scopes: { value: string; label: string }[] }) {
  const [state, action, pending] = useActionState(createTokenAction, initial);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      {state.ok && state.token ? (
        <pre
          data-testid="new-token"
          className="overflow-x-auto rounded-md border border-amber-300 bg-amber-50 px-3 py-2 font-mono text-sm text-slate-900 select-all"
        >
          {state.token}
        </pre>
      ) : null}
      <TextField name="name" label="Name" error={e.name} hint="What uses it, e.g. “Prometheus” or “CI deploys”" />
      <SelectField name="scope" label="Scope" error={e.scope} options={scopes} defaultValue={scopes[0]?.value} />
      <SelectField
        name="expiresInDays"
        label="Expires"
        error={e.expiresInDays}
        defaultValue="90"
        options={[
          { value: "30", label: "In 30 days" },
          { value: "90", label: "In 90 days" },
          { value: "365", label: "In a year" },
          { value: "", label: "Never" },
        ]}
      />
      <SubmitButton pending={pending} pendingText="Creating…">
        Create token
      </SubmitButton>
    </ActionForm>
  );
}
