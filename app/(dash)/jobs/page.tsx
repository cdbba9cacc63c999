import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { jobTargetLabels, listJobs } from "@/lib/db/jobs";
import { jobOutcome } from "@/lib/jobs/outcome";
import { PageHeader, ScrollTable } from "@/components/ui";
import { When, duration } from "@/components/when";

export const metadata = { title: "Jobs" };

const targetHref = (type: string, id: string) =>
  type === "tunnel"
    ? `/tunnels/${id}`
    : type === "site"
      ? `/sites/${id}`
      : type === "fleet"
        ? "/tunnels"
        : type === "ssh-credential"
          ? "/settings/ssh-credentials"
          : null;

export default async function JobsPage() {
  await requirePageUser();
  const jobs = await listJobs({ take: 200 });
  const labels = await jobTargetLabels(jobs);
  const now = new Date();
  return (
    <>
      <PageHeader title="Jobs" subtitle="Deploys, teardowns and key rotations; newest first" />
      <ScrollTable testId="jobs-table" className="rounded-lg border border-slate-200 bg-white shadow-sm">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th className="px-4 py-2">Queued</th>
            <th className="px-4 py-2">Kind</th>
            <th className="px-4 py-2">Target</th>
            <th className="px-4 py-2">Status</th>
            <th className="px-4 py-2">Duration</th>
            <th className="px-4 py-2">By</th>
            <th className="px-4 py-2">Result</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {jobs.map((j) => {
            const label = labels.get(`${j.targetType}:${j.targetId}`) ?? `${j.targetType} (deleted)`;
            const href = labels.has(`${j.targetType}:${j.targetId}`) ? targetHref(j.targetType, j.targetId) : null;
            const outcome = jobOutcome(j);
            const ran = j.startedAt ? (j.finishedAt ?? now).getTime() - j.startedAt.getTime() : null;
            return (
              <tr key={j.id} data-testid="job-row" data-status={j.status}>
                <td className="whitespace-nowrap px-4 py-2">
                  <Link href={`/jobs/${j.id}`} className="text-blue-800 hover:underline">
                    <When date={j.createdAt} now={now} />
                  </Link>
                </td>
                <td className="px-4 py-2">{j.kind}</td>
                <td className="px-4 py-2" data-testid="job-target">
                  {href ? (
                    <Link href={href} className="text-blue-800 hover:underline">
                      {label}
                    </Link>
                  ) : (
                    label
                  )}
                </td>
                <td className="px-4 py-2">{j.status}</td>
                <td className="whitespace-nowrap px-4 py-2 tabular-nums" data-testid="job-duration">
                  {ran === null ? "—" : `${duration(ran)}${j.finishedAt ? "" : " so far"}`}
                </td>
                <td className="px-4 py-2">{j.createdByName}</td>
                <td className={`px-4 py-2 ${outcome.tone === "bad" ? "text-red-700" : "text-slate-600"}`} data-testid="job-result">
                  {outcome.text}
                </td>
              </tr>
            );
          })}
        </tbody>
      </ScrollTable>
    </>
  );
}
