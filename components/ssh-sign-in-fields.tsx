"use client";
// How Gatewarden signs in to a gateway: a named SSH credential (lib/credentials), the
// gateway's own private key, or its own password. One set of fields for the wizard (a new
// gateway) and the gateway page (changing it, where a blank secret keeps the stored one).
import { useState } from "react";
import { SelectField, TextArea, TextField } from "@/components/form-controls";

export type SshCredentialChoice = { id: string; name: string; fingerprint: string };

type Props = {
  credentials: SshCredentialChoice[];
  errors: Record<string, string | undefined>;
  /** "new": the wizard; "change": the gateway's stored way, where blank key and password fields keep the stored secret. */
  mode: "new" | "change";
  /** The gateway's stored way ("change"); a new gateway uses a credential when the fleet has one. */
  authType?: string;
  credentialId?: string;
};

export function SshSignInFields({ credentials, errors, mode, authType: stored, credentialId }: Props) {
  const initial = stored ?? (credentials.length ? "credential" : "key");
  const [authType, setAuthType] = useState(initial);
  const isNew = mode === "new";
  return (
    <>
      <SelectField
        name="sshAuthType"
        label="Sign in with"
        defaultValue={initial}
        onChange={setAuthType}
        error={errors.sshAuthType}
        options={[
          ...(credentials.length || stored === "credential" ? [{ value: "credential", label: "A named SSH credential" }] : []),
          { value: "key", label: "Its own private key" },
          { value: "password", label: "Its own password" },
        ]}
      />
      <div className="col-span-2" hidden={authType !== "credential"}>
        <SelectField
          name="sshCredentialId"
          label="SSH credential"
          defaultValue={credentialId || credentials[0]?.id}
          error={errors.sshCredentialId}
          options={credentials.map((c) => ({ value: c.id, label: `${c.name} (${c.fingerprint})` }))}
          hint="Settings → SSH credentials shows its public key and the command that installs it on the router."
        />
      </div>
      <div className="col-span-2" hidden={authType !== "key"}>
        <TextArea
          name="sshPrivateKey"
          label={isNew ? "Private key" : "New private key (blank keeps the stored one)"}
          error={errors.sshPrivateKey}
          rows={isNew ? 5 : 4}
          placeholder={isNew ? "-----BEGIN OPENSSH PRIVATE KEY-----" : undefined}
          hint={isNew ? "Stored encrypted; never shown again." : undefined}
        />
      </div>
      <div className="col-span-2" hidden={authType !== "password"}>
        <TextField
          name="sshPassword"
          type="password"
          label={isNew ? "Password" : "New password (blank keeps the stored one)"}
          error={errors.sshPassword}
          hint={isNew ? "Stored encrypted; never shown again." : undefined}
        />
      </div>
    </>
  );
}
