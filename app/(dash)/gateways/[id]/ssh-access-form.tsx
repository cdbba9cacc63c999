"use client";
// Change how Gatewarden reaches a gateway. The stored credential is never shown;
// a new one replaces it, a blank field keeps it.
import { useActionState } from "react";
import { ActionForm } from "@/components/action-form";
import { FormMessage, SubmitButton, TextField } from "@/components/form-controls";
import { SshSignInFields, type SshCredentialChoice } from "@/components/ssh-sign-in-fields";
import { initialFormState } from "@/lib/inventory/form-state";
import { convertGatewayKeyAction, updateSshAccessAction } from "./gateway-actions";

type Props = {
  gatewayId: string;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  sshAuthType: string;
  sshCredentialId: string;
  credentials: SshCredentialChoice[];
};

export function SshAccessForm({ gatewayId, sshHost, sshPort, sshUser, sshAuthType, sshCredentialId, credentials }: Props) {
  const [state, action, pending] = useActionState(updateSshAccessAction.bind(null, gatewayId), initialFormState);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} className="grid grid-cols-2 gap-3">
      <div className="col-span-2">
        <FormMessage ok={state.ok} message={state.message} />
      </div>
      <TextField name="sshHost" label="SSH address" defaultValue={sshHost} error={e.sshHost} />
      <TextField name="sshPort" label="SSH port" defaultValue={String(sshPort)} error={e.sshPort} />
      <TextField name="sshUser" label="SSH user" defaultValue={sshUser} error={e.sshUser} />
      <SshSignInFields mode="change" credentials={credentials} errors={e} authType={sshAuthType} credentialId={sshCredentialId} />
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
