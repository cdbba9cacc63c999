// A job's status, steps and the log lines after `?after=<seq>`, for the live view.
import { NextResponse } from "next/server";
import { getPollingUser } from "@/lib/auth/session";
import { getJob } from "@/lib/db/jobs";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await getPollingUser())) return NextResponse.json({ error: "Please sign in." }, { status: 401 });
  const after = Number(new URL(request.url).searchParams.get("after") ?? "0") || 0;
  const job = await getJob((await params).id, after);
  if (!job) return NextResponse.json({ error: "No such job." }, { status: 404 });
  return NextResponse.json(
    {
      id: job.id,
      kind: job.kind,
      status: job.status,
      error: job.error,
      createdByName: job.createdByName,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      steps: job.steps.map((s) => ({ seq: s.seq, name: s.name, status: s.status, detail: s.detail })),
      logs: job.logs.map((l) => ({ seq: l.seq, at: l.at, level: l.level, gateway: l.gateway, message: l.message })),
    },
    { headers: { "cache-control": "no-store" } },
  );
}
