"use client";
// A "Rotate" button with an in-page confirmation, then the rotate job live. Used for
// one tunnel, a site's tunnels and all tunnels (the action decides which).
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { JobProgress } from "@/components/job-progress";
import type { RotateStart } from "./rotate-actions";

type Props = {
  buttonLabel: string;
  confirmText: string;
  start: () => Promise<RotateStart>;
  latestJobId: string | null;
  disabledReason?: string | null;
  /** The confirmation's button: "Rotate now" unless said otherwise. */
  confirmLabel?: string;
  testId?: string;
};

export function RotateControl({ buttonLabel, confirmText, start, latestJobId, disabledReason, confirmLabel, testId }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [jobId, setJobId] = useState(latestJobId);
  const [message, setMessage] = useState<string | null>(null);
  const [skipped, setSkipped] = useState<string[]>([]);
  const [pending, startTransition] = useTransition();
  const router = useRouter();

  const confirm = () =>
    startTransition(async () => {
      const r = await start();
      setConfirming(false);
      if (r.ok) {
        setMessage(null);
        setSkipped(r.skipped);
        setJobId(r.jobId);
        router.refresh();
      } else setMessage(r.message);
    });

  const button = "rounded-md px-3 py-1.5 text-sm font-semibold disabled:opacity-60";
  return (
    <div className="space-y-3" data-testid={testId ?? "rotate-control"}>
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          disabled={pending || confirming || !!disabledReason}
          onClick={() => setConfirming(true)}
          className={`${button} border border-amber-400 bg-amber-50 text-amber-900`}
        >
          {buttonLabel}
        </button>
        {disabledReason ? <span className="text-sm text-slate-500">{disabledReason}</span> : null}
      </div>
      {confirming ? (
        <div
          role="alertdialog"
          aria-label={`Confirm: ${buttonLabel}`}
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm"
        >
          <p className="mb-3">{confirmText}</p>
          <div className="flex gap-2">
            <button type="button" disabled={pending} onClick={confirm} className={`${button} bg-amber-600 text-white`}>
              {pending ? "Starting…" : (confirmLabel ?? "Rotate now")}
            </button>
            <button
              type="button"
              disabled={pending}
              onClick={() => setConfirming(false)}
              className={`${button} border border-slate-300 bg-white`}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {message ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {message}
        </p>
      ) : null}
      {skipped.length ? <p className="text-sm text-slate-600">Not rotated: {skipped.join("; ")}.</p> : null}
      {jobId ? <JobProgress key={jobId} jobId={jobId} /> : null}
    </div>
  );
}
