"use client";
// The PSK stays on the server until an admin asks for it; asking is audited.
import { useState, useTransition } from "react";
import { revealTunnelPsk, type RevealResult } from "./actions";

export function RevealPsk({
  tunnelId,
  version,
  deniedReason,
}: {
  tunnelId: string;
  version: number | null;
  /** The role may not see keys: the button is disabled and says why. */
  deniedReason?: string | null;
}) {
  const [result, setResult] = useState<RevealResult | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <span className="font-mono" data-testid="psk-value">
        {result?.ok ? result.psk : "••••••••••••••••"}
      </span>
      {version !== null ? <span className="text-slate-500">version {version}</span> : null}
      {result?.ok ? (
        <button type="button" onClick={() => setResult(null)} className="rounded border border-slate-300 px-2 py-1">
          Hide
        </button>
      ) : (
        <button
          type="button"
          disabled={pending || !!deniedReason}
          title={deniedReason ?? undefined}
          onClick={() => startTransition(async () => setResult(await revealTunnelPsk(tunnelId)))}
          className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60"
        >
          {pending ? "Revealing…" : "Reveal PSK"}
        </button>
      )}
      {deniedReason ? (
        <span className="text-xs text-slate-500" data-testid="denied-reason">
          {deniedReason}
        </span>
      ) : null}
      {result && !result.ok ? (
        <span role="alert" className="text-red-700">
          {result.message}
        </span>
      ) : null}
    </div>
  );
}
