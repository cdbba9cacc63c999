"use client";
// Deploy, dry run and teardown buttons of a tunnel, and the live view of its latest job.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { JobProgress } from "@/components/job-progress";
import { deployTunnelAction, dryRunTunnelAction, teardownTunnelAction } from "./job-actions";

const ACTIONS = { deploy: deployTunnelAction, plan: dryRunTunnelAction, teardown: teardownTunnelAction };

export function TunnelJobs({
  tunnelId,
  latestJobId,
  deployState,
  deniedReason,
}: {
  tunnelId: string;
  latestJobId: string | null;
  deployState: string;
  /** The role may not start jobs: the buttons are disabled and say why. */
  deniedReason?: string | null;
}) {
  const [jobId, setJobId] = useState(latestJobId);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();

  const start = (kind: "deploy" | "plan" | "teardown") =>
    startTransition(async () => {
      if (kind === "teardown" && !window.confirm("Tear this tunnel down on both gateways? Traffic between the sites stops.")) return;
      const r = await ACTIONS[kind](tunnelId);
      if (r.ok) {
        setMessage(null);
        setJobId(r.jobId);
        router.refresh();
      } else setMessage(r.message);
    });

  const button = "rounded-md px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-60";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <span className="mr-2 text-sm">
          State: <strong data-testid="deploy-state">{deployState}</strong>
        </span>
        <button
          type="button"
          disabled={pending || !!deniedReason}
          title={deniedReason ?? undefined}
          onClick={() => start("plan")}
          className={`${button} border border-slate-300 bg-white`}
        >
          Show changes (dry run)
        </button>
        <button
          type="button"
          disabled={pending || !!deniedReason}
          title={deniedReason ?? undefined}
          onClick={() => start("deploy")}
          className={`${button} bg-blue-700 text-white`}
        >
          Deploy
        </button>
        <button
          type="button"
          disabled={pending || !!deniedReason}
          title={deniedReason ?? undefined}
          onClick={() => start("teardown")}
          className={`${button} border border-red-300 bg-white text-red-700`}
        >
          Tear down
        </button>
        {deniedReason ? (
          <span className="text-xs text-slate-500" data-testid="denied-reason">
            {deniedReason}
          </span>
        ) : null}
      </div>
      {message ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {message}
        </p>
      ) : null}
      {jobId ? <JobProgress key={jobId} jobId={jobId} /> : <p className="text-sm text-slate-500">Never deployed.</p>}
    </div>
  );
}
