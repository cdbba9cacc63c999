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
};

export function HostKeyPanel({ gatewayId, pinned, seen, reachability, reachabilityReason }: Props) {
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
            disabled={pending}
            onClick={() => run(() => acceptHostKeyAction(gatewayId, seen))}
            className="ml-2 rounded-md bg-blue-700 px-3 py-1 font-semibold text-white disabled:opacity-60"
          >
            Accept this key
          </button>
        </p>
      ) : null}
      <div className="flex gap-2">
        <button
          type="button"
          disabled={pending}
          onClick={() => run(() => checkHostKeyAction(gatewayId))}
          className="rounded-md border border-slate-300 bg-white px-3 py-1"
        >
          {pending ? "Contacting…" : "Check host key"}
        </button>
        <button
          type="button"
          disabled={pending || !pinned}
          onClick={() => run(() => deployPendingAction(gatewayId))}
          className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:opacity-50"
        >
          Deploy all pending
        </button>
      </div>
      {result ? (
        <p role={result.ok ? "status" : "alert"} className={result.ok ? "text-green-800" : "text-red-800"}>
          {result.message}
        </p>
      ) : null}
    </div>
  );
}
