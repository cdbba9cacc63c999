"use client";
// Follows a job live: polls its steps and new log lines once a second until it
// ends. Reloading the page picks it up again from the start of its log.
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";

type Step = { seq: number; name: string; status: string; detail: string | null };
type Line = { seq: number; at: string; level: string; gateway: string | null; message: string };
type JobView = { id: string; kind: string; status: string; error: string | null; createdByName: string; steps: Step[]; logs: Line[] };

const stepColor: Record<string, string> = {
  ok: "text-green-700",
  running: "text-blue-700",
  failed: "text-red-700",
  "rolled-back": "text-amber-700",
  skipped: "text-slate-500",
  pending: "text-slate-500",
};
const statusColor: Record<string, string> = {
  succeeded: "bg-green-100 text-green-800",
  failed: "bg-red-100 text-red-800",
  interrupted: "bg-amber-100 text-amber-900",
  running: "bg-blue-100 text-blue-800",
  queued: "bg-slate-100 text-slate-700",
};

export function JobProgress({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<JobView | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const router = useRouter();

  useEffect(() => {
    let stopped = false;
    let after = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        const res = await fetch(`/api/jobs/${jobId}?after=${after}`, { cache: "no-store" });
        if (res.ok) {
          const data = (await res.json()) as JobView;
          if (stopped) return;
          if (data.logs.length) {
            after = data.logs[data.logs.length - 1]!.seq;
            setLines((prev) => [...prev, ...data.logs]);
          }
          setJob(data);
          if (data.status !== "queued" && data.status !== "running") {
            router.refresh(); // the page's own state (deploy state, routes) changed too
            return;
          }
        }
      } catch {
        // a missed poll is retried
      }
      if (!stopped) timer = setTimeout(poll, 1000);
    }
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [jobId, router]);

  if (!job) return <p className="text-sm text-slate-500">Loading job…</p>;
  return (
    <div className="space-y-3" data-testid="job-progress">
      <p className="flex items-center gap-3 text-sm">
        <span className={`rounded px-2 py-0.5 font-medium ${statusColor[job.status] ?? ""}`} data-testid="job-status">
          {job.status}
        </span>
        <span className="text-slate-600">
          {job.kind} by {job.createdByName}
        </span>
      </p>
      {job.error ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="job-error">
          {job.error}
        </p>
      ) : null}
      <ol className="space-y-0.5 text-sm" data-testid="job-steps">
        {job.steps.map((s) => (
          <li key={s.seq} className={stepColor[s.status] ?? ""}>
            <span className="inline-block w-24 font-mono text-xs">{s.status}</span>
            {s.name}
            {s.detail ? <span className="text-slate-600"> — {s.detail}</span> : null}
          </li>
        ))}
      </ol>
      <pre className="max-h-[32rem] overflow-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100" data-testid="job-log">
        {lines.map((l) => (
          <div
            key={l.seq}
            data-level={l.level}
            className={l.level === "error" ? "text-red-300" : l.level === "warn" ? "text-amber-200" : ""}
          >
            {l.at.slice(11, 19)} {l.gateway ? `[${l.gateway}] ` : ""}
            {l.message}
          </div>
        ))}
      </pre>
    </div>
  );
}
