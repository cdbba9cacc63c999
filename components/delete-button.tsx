"use client";
// A destructive button: asks first, then shows the server's refusal if there is one.
import { useState, useTransition } from "react";

export function DeleteButton({ label, confirm, action }: { label: string; confirm: string; action: () => Promise<{ message: string }> }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="inline-flex items-center gap-3">
      <button
        type="button"
        disabled={pending}
        onClick={() => {
          if (!window.confirm(confirm)) return;
          startTransition(async () => setMessage((await action()).message));
        }}
        className="rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:opacity-60"
      >
        {pending ? "Deleting…" : label}
      </button>
      {message ? (
        <span role="alert" className="text-sm text-red-800">
          {message}
        </span>
      ) : null}
    </span>
  );
}
