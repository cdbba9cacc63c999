"use client";
// Change how Gatewarden reaches a gateway. The stored credential is never shown;
// a new one replaces it, a blank field keeps it.
import { useActionState, useState } from "react";
import { ActionForm } from "@/components/action-form";
import { FormMessage, SelectField, SubmitButton, TextArea, TextField } from "@/components/form-controls";
import { initialFormState } from "@/lib/inventory/form-state";
import { updateSshAccessAction } from "./gateway-actions";

type Props = { gatewayId: string; sshHost: string; sshPort: number; sshUser: string; sshAuthType: string };

export function SshAccessForm({ gatewayId, sshHost, sshPort, sshUser, sshAuthType }: Props) {
  const [state, action, pending] = useActionState(updateSshAccessAction.bind(null, gatewayId), initialFormState);
  const [authType, setAuthType] = useState(sshAuthType);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} className="grid grid-cols-2 gap-3">
      <div className="col-span-2">
        <FormMessage ok={state.ok} message={state.message} />
      </div>
      <TextField name="sshHost" label="SSH address" defaultValue={sshHost} error={e.sshHost} />
      <TextField name="sshPort" label="SSH port" defaultValue={String(sshPort)} error={e.sshPort} />
      <TextField name="sshUser" label="SSH user" defaultValue={sshUser} error={e.sshUser} />
      <SelectField
        name="sshAuthType"
        label="Sign in with"
        defaultValue={sshAuthType}
        onChange={setAuthType}
        error={e.sshAuthType}
        options={[
          { value: "key", label: "Private key" },
          { value: "password", label: "Password" },
        ]}
      />
      <div className="col-span-2" hidden={authType !== "key"}>
        <TextArea name="sshPrivateKey" label="New private key (blank keeps the stored one)" rows={4} error={e.sshPrivateKey} />
      </div>
      <div className="col-span-2" hidden={authType !== "password"}>
        <TextField name="sshPassword" type="password" label="New password (blank keeps the stored one)" error={e.sshPassword} />
      </div>
      <div className="col-span-2">
        <SubmitButton pending={pending} pendingText="Saving…">
          Save SSH access
        </SubmitButton>
      </div>
    </ActionForm>
  );
}
