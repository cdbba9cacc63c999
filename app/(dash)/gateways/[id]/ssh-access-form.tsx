"use client";
// Change how Gatewarden reaches a gateway. The stored credential is never shown;
// a new one replaces it, a blank field keeps it.
import { useActionState, useState } from "react";
import { ActionForm } from "@/components/action-form";
import { FormMessage, SelectField, SubmitButton, TextArea, TextField } from "@/components/form-controls";
import { initialFormState } from "@/lib/inventory/form-state";
import { convertGatewayKeyAction, updateSshAccessAction } from "./gateway-actions";

type Props = {
  gatewayId: string;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  sshAuthType: string;
  sshCredentialId: string;
  credentials: { value: string; label: string }[];
};

export function SshAccessForm({ gatewayId, sshHost, sshPort, sshUser, sshAuthType, sshCredentialId, credentials }: Props) {
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
          ...(credentials.length || sshAuthType === "credential" ? [{ value: "credential", label: "A named SSH credential" }] : []),
          { value: "key", label: "Its own private key" },
          { value: "password", label: "Its own password" },
        ]}
      />
      <div className="col-span-2" hidden={authType !== "credential"}>
        <SelectField
          name="sshCredentialId"
          label="SSH credential"
          defaultValue={sshCredentialId || credentials[0]?.value}
          error={e.sshCredentialId}
          options={credentials}
          hint="Managed under Settings → SSH credentials; its public key must be in the router's authorized_keys."
        />
      </div>
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

/** "Make a named credential": this gateway's own key becomes one (admins). */
export function ConvertKeyForm({ gatewayId, disabledReason }: { gatewayId: string; disabledReason: string | null }) {
  const [state, action, pending] = useActionState(convertGatewayKeyAction.bind(null, gatewayId), initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} className="grid grid-cols-2 gap-3">
      <div className="col-span-2">
        <FormMessage ok={state.ok} message={state.message} />
      </div>
      <TextField name="credentialName" label="Credential name" error={e.credentialName} placeholder="fleet-admin" />
      <TextField
        name="authorizedKeysPath"
        label="authorized_keys file on the routers"
        defaultValue=".ssh/authorized_keys"
        error={e.authorizedKeysPath}
        hint="Relative to the SSH user's home, or absolute"
      />
      <div className="col-span-2">
        {disabledReason ? (
          <p className="text-sm text-slate-500" data-testid="denied-reason">
            {disabledReason}
          </p>
        ) : (
          <SubmitButton pending={pending} pendingText="Converting…">
            Make a named credential
          </SubmitButton>
        )}
      </div>
    </ActionForm>
  );
}
