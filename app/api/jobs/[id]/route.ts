// A job's status, steps and the log lines after `?after=<seq>`, for the live view.
import { NextResponse } from "next/server";
import { getPollingUser } from "@/lib/auth/session";
import { getJob } from "@/lib/db/jobs";
import { afterSeqParam, idParam, queryValue } from "@/lib/http/query";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await getPollingUser())) return NextResponse.json({ error: "Please sign in." }, { status: 401 });
  const id = idParam.safeParse((await params).id);
  if (!id.success) return NextResponse.json({ error: "No such job." }, { status: 404 });
  const after = queryValue(new URL(request.url).searchParams, "after", afterSeqParam, 0);
  if (!after.ok) return NextResponse.json({ error: `Bad request: ${after.message}.` }, { status: 400 });
  const job = await getJob(id.data, after.value);
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
