"use client";
// A button that runs one server action (bound to its arguments), asks first when told
// to, and shows the action's answer next to it.
import { useState, useTransition } from "react";
import type { FormState } from "@/lib/inventory/form-state";

type Props = {
  label: string;
  pendingLabel?: string;
  confirm?: string;
  danger?: boolean;
  action: () => Promise<FormState>;
};

export function ActionButton({ label, pendingLabel, confirm, danger, action }: Props) {
  const [state, setState] = useState<FormState | null>(null);
  const [pending, startTransition] = useTransition();
  const tone = danger ? "border-red-300 text-red-700 hover:bg-red-50" : "border-slate-300 text-slate-800 hover:bg-slate-50";
  return (
    <span className="inline-flex flex-wrap items-center gap-3">
      <button
        type="button"
        disabled={pending}
        aria-busy={pending}
        onClick={() => {
          if (confirm && !window.confirm(confirm)) return;
          startTransition(async () => setState(await action()));
        }}
        className={`rounded-md border bg-white px-3 py-1.5 text-sm disabled:opacity-60 ${tone}`}
      >
        {pending ? (pendingLabel ?? "Working…") : label}
      </button>
      {state?.message ? (
        <span role={state.ok ? "status" : "alert"} className={`text-sm ${state.ok ? "text-green-800" : "text-red-800"}`}>
          {state.message}
        </span>
      ) : null}
    </span>
  );
}
