"use client";
import { useActionState, useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { ActionForm } from "@/components/action-form";
import { FormMessage, SelectField, TextField } from "@/components/form-controls";
import { initialFormState } from "@/lib/inventory/form-state";
import { addTunnel } from "./actions";
import { ProfileSelect } from "@/components/profile-select";
import type { ProfileChoice } from "@/lib/inventory/profile-choice";

type Choice = { id: string; label: string; platform: string };

export function TunnelForm({
  gateways,
  profiles,
  deniedReason,
}: {
  gateways: Choice[];
  profiles: ProfileChoice[];
  /** Why this role cannot add tunnels: the form is shown for reference, Add tunnel is disabled. */
  deniedReason: string | null;
}) {
  const [state, action, pending] = useActionState(addTunnel, initialFormState);
  const [pskMode, setPskMode] = useState("generate");
  const [gatewayA, setGatewayA] = useState("");
  const [gatewayB, setGatewayB] = useState("");
  const endPlatforms = [gatewayA, gatewayB].flatMap((id) => gateways.filter((g) => g.id === id).map((g) => g.platform));
  const router = useRouter();
  const errors = state.fieldErrors ?? {};
  useEffect(() => {
    if (state.ok && state.id) router.push(`/tunnels/${state.id}`);
  }, [state, router]);
  const gwOptions = [{ value: "", label: "Choose…" }, ...gateways.map((g) => ({ value: g.id, label: g.label }))];
  return (
    <ActionForm action={action} state={state} className="grid max-w-3xl grid-cols-2 gap-4 rounded-lg border border-slate-200 bg-white p-6">
      <div className="col-span-2">
        <FormMessage ok={state.ok} message={state.message} />
      </div>
      <SelectField
        name="kind"
        label="Type"
        defaultValue="host-to-host"
        error={errors.kind}
        options={[
          { value: "host-to-host", label: "Host-to-host (node-to-node)" },
          { value: "net-to-net", label: "Net-to-net (LAN to LAN)" },
        ]}
      />
      <ProfileSelect choices={profiles} platforms={endPlatforms} error={errors.cryptoProfileId} />
      <SelectField name="gatewayAId" label="Gateway A" error={errors.gatewayAId} options={gwOptions} onChange={setGatewayA} />
      <SelectField name="gatewayBId" label="Gateway B" error={errors.gatewayBId} options={gwOptions} onChange={setGatewayB} />
      <TextField name="interfaceA" label="Interface on A (optional)" error={errors.interfaceA} placeholder="next free ipsecN" />
      <TextField name="interfaceB" label="Interface on B (optional)" error={errors.interfaceB} placeholder="next free ipsecN" />
      <SelectField
        name="pskMode"
        label="Pre-shared key"
        defaultValue="generate"
        onChange={setPskMode}
        options={[
          { value: "generate", label: "Generate a strong key (256 bits)" },
          { value: "custom", label: "Type one in" },
        ]}
      />
      <div hidden={pskMode !== "custom"}>
        <TextField name="pskValue" type="password" label="Your pre-shared key" error={errors.pskValue} />
      </div>
      <div className="col-span-2">
        <button
          type="submit"
          disabled={pending || !!deniedReason}
          aria-busy={pending}
          title={deniedReason ?? undefined}
          className="rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white disabled:cursor-not-allowed disabled:opacity-60"
        >
          {pending ? "Adding…" : "Add tunnel"}
        </button>
        {deniedReason ? (
          <span className="ml-3 text-xs text-slate-500" data-testid="denied-reason">
            {deniedReason}
          </span>
        ) : null}
      </div>
    </ActionForm>
  );
}
