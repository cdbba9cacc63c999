"use client";
// First contact and key changes: shows the pinned SSH host key, what the gateway
// offers, and lets an admin pin the offered key after comparing it out of band.
import { useState, useTransition } from "react";
import { acceptHostKeyAction, checkHostKeyAction, deployPendingAction, type ActionResult } from "./gateway-actions";

type Props = {
  gatewayId: string;
  pinned: string | null;
  seen: string | null;
  reachability: string;
  reachabilityReason: string | null;
  /** Why this role may not use each control (deniedReason), or null: disabled with the reason shown. */
  denied: { check: string | null; accept: string | null; deploy: string | null };
};

function Reason({ children }: { children: string | null }) {
  return children ? (
    <span className="text-xs text-slate-500" data-testid="denied-reason">
      {children}
    </span>
  ) : null;
}

export function HostKeyPanel({ gatewayId, pinned, seen, reachability, reachabilityReason, denied }: Props) {
  const [result, setResult] = useState<ActionResult | null>(null);
  const [pending, startTransition] = useTransition();
  const run = (fn: () => Promise<ActionResult>) => startTransition(async () => setResult(await fn()));
  const changed = pinned && seen && seen !== pinned;
  return (
    <div className="space-y-3 text-sm">
      <p>
        Pinned host key:{" "}
        <span className="font-mono" data-testid="pinned-host-key">
          {pinned ?? "none"}
        </span>
      </p>
      <p>
        Last contact: <strong data-testid="reachability">{reachability}</strong>
        {reachabilityReason ? <span className="text-slate-600"> — {reachabilityReason}</span> : null}
      </p>
      {changed ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-red-800">
          The gateway now offers <span className="font-mono">{seen}</span>, not the pinned <span className="font-mono">{pinned}</span>.
          Gatewarden refuses to connect. If the router was reinstalled, compare the new key on its console (
          <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>) before accepting it; otherwise this may be an attack.
        </p>
      ) : null}
      {seen && seen !== pinned ? (
        <p data-testid="offered-host-key">
          Offered: <span className="font-mono">{seen}</span>{" "}
          <button
            type="button"
            disabled={pending || !!denied.accept}
            title={denied.accept ?? undefined}
            onClick={() => run(() => acceptHostKeyAction(gatewayId, seen))}
            className="ml-2 rounded-md bg-blue-700 px-3 py-1 font-semibold text-white disabled:cursor-not-allowed disabled:opacity-60"
          >
            Accept this key
          </button>{" "}
          <Reason>{denied.accept}</Reason>
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          disabled={pending || !!denied.check}
          title={denied.check ?? undefined}
          onClick={() => run(() => checkHostKeyAction(gatewayId))}
          className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {pending ? "Contacting…" : "Check host key"}
        </button>
        <button
          type="button"
          disabled={pending || !pinned || !!denied.deploy}
          title={denied.deploy ?? undefined}
          onClick={() => run(() => deployPendingAction(gatewayId))}
          className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:cursor-not-allowed disabled:opacity-50"
        >
          Deploy all pending
        </button>
        {/* Check and deploy are allowed to the same roles: one sentence for both. */}
        <Reason>{denied.check ?? denied.deploy}</Reason>
      </div>
      {result ? (
        <p role={result.ok ? "status" : "alert"} className={result.ok ? "text-green-800" : "text-red-800"}>
          {result.message}
        </p>
      ) : null}
    </div>
  );
}
