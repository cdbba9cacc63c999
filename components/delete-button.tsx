"use client";
// A destructive button: asks first, then shows the server's refusal if there is one.
import { useState, useTransition } from "react";

export function DeleteButton({
  label,
  confirm,
  action,
  deniedReason,
}: {
  label: string;
  confirm: string;
  action: () => Promise<{ message: string }>;
  /** The role may not do this: the button is disabled and says why. */
  deniedReason?: string | null;
}) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="inline-flex items-center gap-3">
      <button
        type="button"
        disabled={pending || !!deniedReason}
        title={deniedReason ?? undefined}
        onClick={() => {
          if (!window.confirm(confirm)) return;
          startTransition(async () => setMessage((await action()).message));
        }}
        className="rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-60"
      >
        {pending ? "Deleting…" : label}
      </button>
      {deniedReason ? (
        <span className="text-xs text-slate-500" data-testid="denied-reason">
          {deniedReason}
        </span>
      ) : null}
      {message ? (
        <span role="alert" className="text-sm text-red-800">
          {message}
        </span>
      ) : null}
    </span>
  );
}
