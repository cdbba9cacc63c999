"use client";
// The admin's crypto profile form, for a new profile or (prefilled) an unused custom one.
// Every choice is a select or checkbox built from the allow-lists in
// lib/platforms/crypto-profiles, in strongest-first order (checkbox order is the offer
// order); the server validates again and shows errors per field.
import { useActionState, useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { ActionForm } from "@/components/action-form";
import { FieldError, FormMessage, SelectField, SubmitButton, TextField } from "@/components/form-controls";
import { initialFormState, type FormState } from "@/lib/inventory/form-state";
import type { CryptoProfile } from "@/lib/platforms/contract";
import { NO_PFS, PROFILE_FIELDS as F } from "@/lib/inventory/crypto-profile-form";
import { DH_GROUP_NAMES, DH_GROUPS, ESP_ENCRYPTIONS, EXCHANGE_MODES, IKE_ENCRYPTIONS, INTEGRITIES } from "@/lib/platforms/crypto-profiles";

const strongestFirst = <T,>(list: readonly T[]) => [...list].reverse();
const dhOptions = strongestFirst(DH_GROUPS).map((g) => ({ value: String(g), label: `${g} (${DH_GROUP_NAMES[g]})` }));
const ESP_LABELS: Record<string, string> = { blowfish448: "blowfish 448", rijndael: "rijndael (racoon's AES-128)" };

function CheckboxGroup({
  name,
  legend,
  options,
  defaults,
  error,
}: {
  name: string;
  legend: string;
  options: readonly string[];
  defaults: string[];
  error?: string;
}) {
  const id = `f-${name}`;
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined} aria-invalid={error ? true : undefined}>
      <legend className="block text-sm font-medium text-slate-700">{legend}</legend>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
        {options.map((o) => (
          <label key={o} className="inline-flex items-center gap-1.5 text-sm">
            <input type="checkbox" name={name} value={o} defaultChecked={defaults.includes(o)} />
            <span className="font-mono">{ESP_LABELS[o] ?? o}</span>
          </label>
        ))}
      </div>
      <FieldError id={`${id}-error`} error={error} />
    </fieldset>
  );
}

const DEFAULTS: CryptoProfile = {
  name: "",
  ikeVersion: 2,
  exchangeModes: ["main"],
  ike: { encryption: "aes256", integrity: "sha256", dhGroup: 14 },
  esp: { encryption: ["aes256"], integrity: ["sha256"], pfsGroup: 14, compression: null },
  ikeLifetimeSeconds: 28800,
  childLifetimeSeconds: 3600,
} as CryptoProfile;

type Props = {
  action: (prev: FormState, fd: FormData) => Promise<FormState>;
  /** Editing: the stored profile; creating: the defaults above. */
  initial?: CryptoProfile;
  submitLabel: string;
  pendingText: string;
  /** After a success: go there (editing), or clear the form for the next one (creating). */
  doneHref?: string;
};

export function ProfileForm({ action: submit, initial, submitLabel, pendingText, doneHref }: Props) {
  const [state, action, pending] = useActionState(submit, initialFormState);
  const p = initial ?? DEFAULTS;
  const [ikeVersion, setIkeVersion] = useState(String(p.ikeVersion));
  const router = useRouter();
  useEffect(() => {
    if (state.ok && doneHref) router.push(doneHref);
  }, [state, doneHref, router]);
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess={!doneHref} className="grid gap-4 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <FormMessage ok={state.ok} message={state.message} />
      </div>
      <TextField
        name={F.name}
        label="Profile name"
        error={e[F.name]}
        placeholder="Branch IKEv2 (aes128)"
        defaultValue={p.name}
        className="sm:col-span-2"
      />
      <SelectField
        name={F.ikeVersion}
        label="IKE version"
        defaultValue={String(p.ikeVersion)}
        error={e[F.ikeVersion]}
        onChange={setIkeVersion}
        options={[
          { value: "2", label: "IKEv2 (strongSwan)" },
          { value: "1", label: "IKEv1 (needed by CentOS / racoon)" },
        ]}
      />
      <div hidden={ikeVersion !== "1"}>
        <CheckboxGroup
          name={F.exchangeModes}
          legend="Exchange modes (IKEv1)"
          options={EXCHANGE_MODES}
          defaults={p.exchangeModes.length ? [...p.exchangeModes] : ["main"]}
          error={e[F.exchangeModes]}
        />
      </div>
      <SelectField
        name={F.ikeEncryption}
        label="IKE cipher"
        defaultValue={p.ike.encryption}
        error={e[F.ikeEncryption]}
        options={strongestFirst(IKE_ENCRYPTIONS).map((v) => ({ value: v, label: v }))}
      />
      <SelectField
        name={F.ikeIntegrity}
        label="IKE integrity"
        defaultValue={p.ike.integrity}
        error={e[F.ikeIntegrity]}
        options={strongestFirst(INTEGRITIES).map((v) => ({ value: v, label: v }))}
      />
      <SelectField
        name={F.ikeDhGroup}
        label="IKE DH group"
        defaultValue={String(p.ike.dhGroup)}
        error={e[F.ikeDhGroup]}
        options={dhOptions}
      />
      <SelectField
        name={F.espPfsGroup}
        label="PFS group (ESP)"
        defaultValue={p.esp.pfsGroup === null ? NO_PFS : String(p.esp.pfsGroup)}
        error={e[F.espPfsGroup]}
        options={[...dhOptions, { value: NO_PFS, label: "none (no PFS)" }]}
      />
      <div className="sm:col-span-2">
        <CheckboxGroup
          name={F.espEncryption}
          legend="ESP ciphers (offered in this order)"
          options={strongestFirst(ESP_ENCRYPTIONS)}
          defaults={[...p.esp.encryption]}
          error={e[F.espEncryption]}
        />
      </div>
      <div className="sm:col-span-2">
        <CheckboxGroup
          name={F.espIntegrity}
          legend="ESP integrity (offered in this order)"
          options={strongestFirst(INTEGRITIES)}
          defaults={[...p.esp.integrity]}
          error={e[F.espIntegrity]}
        />
      </div>
      <div className="sm:col-span-2">
        <CheckboxGroup
          name={F.espCompression}
          legend="IPComp"
          options={["deflate"]}
          defaults={p.esp.compression ? [p.esp.compression] : []}
          error={e[F.espCompression]}
        />
      </div>
      <TextField
        name={F.ikeLifetime}
        label="IKE SA lifetime (seconds)"
        defaultValue={String(p.ikeLifetimeSeconds)}
        error={e[F.ikeLifetime]}
      />
      <TextField
        name={F.childLifetime}
        label="CHILD SA lifetime (seconds)"
        defaultValue={String(p.childLifetimeSeconds)}
        error={e[F.childLifetime]}
      />
      <div className="sm:col-span-2">
        <SubmitButton pending={pending} pendingText={pendingText}>
          {submitLabel}
        </SubmitButton>
      </div>
    </ActionForm>
  );
}
