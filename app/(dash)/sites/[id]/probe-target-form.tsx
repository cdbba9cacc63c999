"use client";
// The site's probe target: a host on its LAN that health pings through each of its
// tunnels from the other end's router; empty: router to router only.
import { useActionState } from "react";
import { ActionForm } from "@/components/action-form";
import { FormMessage, SubmitButton, TextField } from "@/components/form-controls";
import { initialFormState } from "@/lib/inventory/form-state";
import { setProbeTargetAction } from "./site-actions";

export function ProbeTargetForm({
  siteId,
  probeTarget,
  deniedReason,
}: {
  siteId: string;
  probeTarget: string | null;
  deniedReason: string | null;
}) {
  const [state, action, pending] = useActionState(setProbeTargetAction.bind(null, siteId), initialFormState);
  if (deniedReason) {
    return (
      <div className="space-y-1 text-sm">
        <p>
          Probe target: <span className="font-mono">{probeTarget ?? "none (router to router)"}</span>
        </p>
        <p className="text-slate-500">{deniedReason}</p>
      </div>
    );
  }
  return (
    <ActionForm action={action} state={state} className="space-y-3">
      <FormMessage ok={state.ok} message={state.message} />
      <TextField
        name="probeTarget"
        label="Health probe target (optional)"
        defaultValue={probeTarget ?? ""}
        error={state.fieldErrors?.probeTarget}
        placeholder="e.g. 192.168.2.10"
        hint="A host on this site's LAN that health pings through each tunnel from the other end's router. Empty: the routers ping each other's LAN address only, which does not notice this LAN being down."
      />
      <SubmitButton pending={pending} pendingText="Saving…">
        Save probe target
      </SubmitButton>
    </ActionForm>
  );
}
