"use client";
import { useState, useTransition } from "react";
import { checkTunnelHealthAction } from "./health-actions";

export function CheckNowButton({ tunnelId }: { tunnelId: string }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        disabled={pending}
        onClick={() => startTransition(async () => setMessage((await checkTunnelHealthAction(tunnelId)).message))}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold disabled:opacity-60"
      >
        Check now
      </button>
      {message ? (
        <span className="text-xs text-slate-500" role="status">
          {message}
        </span>
      ) : null}
    </span>
  );
}
