"use client";
import { useActionState, useState } from "react";
import { FormMessage, SelectField, SubmitButton, TextArea, TextField } from "@/components/form-controls";
import { ActionForm } from "@/components/action-form";
import { createCredentialAction, type CreateCredentialState } from "./actions";

const initial: CreateCredentialState = { ok: false };

export function CreateCredentialForm({ disabledReason }: { disabledReason: string | null }) {
  const [state, action, pending] = useActionState(createCredentialAction, initial);
  const [mode, setMode] = useState("generate");
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      {state.ok && state.publicKey ? (
        <div className="space-y-2 text-sm" data-testid="new-credential">
          <p className="font-semibold">Public key ({state.fingerprint})</p>
          <pre
            data-testid="new-public-key"
            className="overflow-x-auto rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-xs select-all"
          >
            {state.publicKey}
          </pre>
          <p className="font-semibold">Run on each router, as the SSH user:</p>
          <pre
            data-testid="new-command"
            className="overflow-x-auto rounded-md border border-amber-300 bg-amber-50 px-3 py-2 font-mono text-xs select-all"
          >
            {state.command}
          </pre>
        </div>
      ) : null}
      <TextField
        name="name"
        label="Name"
        error={e.name}
        hint="e.g. “fleet-admin”; shown on gateways and in the routers' authorized_keys comment"
      />
      <SelectField
        name="mode"
        label="Key"
        error={e.mode}
        defaultValue="generate"
        onChange={setMode}
        options={[
          { value: "generate", label: "Generate a new ed25519 key pair" },
          { value: "paste", label: "Paste an existing private key" },
        ]}
      />
      <div hidden={mode !== "paste"}>
        <TextArea
          name="privateKey"
          label="Private key"
          error={e.privateKey}
          rows={5}
          placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
          hint="Unencrypted; stored encrypted, never shown again."
        />
      </div>
      <TextField
        name="authorizedKeysPath"
        label="authorized_keys file on the routers"
        error={e.authorizedKeysPath}
        defaultValue=".ssh/authorized_keys"
        hint="Relative to the SSH user's home, or absolute (sshd's AuthorizedKeysFile). Rotation edits this file."
      />
      {disabledReason ? (
        <p className="text-sm text-slate-500" data-testid="denied-reason">
          {disabledReason}
        </p>
      ) : (
        <SubmitButton pending={pending} pendingText="Creating…">
          Create credential
        </SubmitButton>
      )}
    </ActionForm>
  );
}
