"use client";
// The admin's "new crypto profile" form. Every choice is a select or checkbox built from
// the allow-lists in lib/platforms/crypto-profiles, in strongest-first order (checkbox
// order is the offer order); the server validates again and shows errors per field.
import { useActionState, useState } from "react";
import { ActionForm } from "@/components/action-form";
import { FieldError, FormMessage, SelectField, SubmitButton, TextField } from "@/components/form-controls";
import { initialFormState } from "@/lib/inventory/form-state";
import { NO_PFS, PROFILE_FIELDS as F } from "@/lib/inventory/crypto-profile-form";
import { DH_GROUP_NAMES, DH_GROUPS, ESP_ENCRYPTIONS, EXCHANGE_MODES, IKE_ENCRYPTIONS, INTEGRITIES } from "@/lib/platforms/crypto-profiles";
import { addCryptoProfileAction } from "./actions";

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

export function AddProfileForm() {
  const [state, action, pending] = useActionState(addCryptoProfileAction, initialFormState);
  const [ikeVersion, setIkeVersion] = useState("2");
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="grid gap-4 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <FormMessage ok={state.ok} message={state.message} />
      </div>
      <TextField name={F.name} label="Profile name" error={e[F.name]} placeholder="Branch IKEv2 (aes128)" className="sm:col-span-2" />
      <SelectField
        name={F.ikeVersion}
        label="IKE version"
        defaultValue="2"
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
          defaults={["main"]}
          error={e[F.exchangeModes]}
        />
      </div>
      <SelectField
        name={F.ikeEncryption}
        label="IKE cipher"
        defaultValue="aes256"
        error={e[F.ikeEncryption]}
        options={strongestFirst(IKE_ENCRYPTIONS).map((v) => ({ value: v, label: v }))}
      />
      <SelectField
        name={F.ikeIntegrity}
        label="IKE integrity"
        defaultValue="sha256"
        error={e[F.ikeIntegrity]}
        options={strongestFirst(INTEGRITIES).map((v) => ({ value: v, label: v }))}
      />
      <SelectField name={F.ikeDhGroup} label="IKE DH group" defaultValue="14" error={e[F.ikeDhGroup]} options={dhOptions} />
      <SelectField
        name={F.espPfsGroup}
        label="PFS group (ESP)"
        defaultValue="14"
        error={e[F.espPfsGroup]}
        options={[...dhOptions, { value: NO_PFS, label: "none (no PFS)" }]}
      />
      <div className="sm:col-span-2">
        <CheckboxGroup
          name={F.espEncryption}
          legend="ESP ciphers (offered in this order)"
          options={strongestFirst(ESP_ENCRYPTIONS)}
          defaults={["aes256"]}
          error={e[F.espEncryption]}
        />
      </div>
      <div className="sm:col-span-2">
        <CheckboxGroup
          name={F.espIntegrity}
          legend="ESP integrity (offered in this order)"
          options={strongestFirst(INTEGRITIES)}
          defaults={["sha256"]}
          error={e[F.espIntegrity]}
        />
      </div>
      <div className="sm:col-span-2">
        <CheckboxGroup name={F.espCompression} legend="IPComp" options={["deflate"]} defaults={[]} error={e[F.espCompression]} />
      </div>
      <TextField name={F.ikeLifetime} label="IKE SA lifetime (seconds)" defaultValue="28800" error={e[F.ikeLifetime]} />
      <TextField name={F.childLifetime} label="CHILD SA lifetime (seconds)" defaultValue="3600" error={e[F.childLifetime]} />
      <div className="sm:col-span-2">
        <SubmitButton pending={pending} pendingText="Creating…">
          Create profile
        </SubmitButton>
      </div>
    </ActionForm>
  );
}
