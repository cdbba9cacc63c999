import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { listJobs } from "@/lib/db/jobs";
import { PageHeader } from "@/components/ui";

export const metadata = { title: "Jobs" };

export default async function JobsPage() {
  await requirePageUser();
  const jobs = await listJobs({ take: 200 });
  return (
    <>
      <PageHeader title="Jobs" subtitle="Deploys, teardowns and key rotations; newest first" />
      <table className="w-full rounded-lg border border-slate-200 bg-white text-sm shadow-sm" data-testid="jobs-table">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th className="px-4 py-2">Started</th>
            <th className="px-4 py-2">Kind</th>
            <th className="px-4 py-2">Status</th>
            <th className="px-4 py-2">By</th>
            <th className="px-4 py-2">Result</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {jobs.map((j) => (
            <tr key={j.id}>
              <td className="px-4 py-2 font-mono text-xs">
                <Link href={`/jobs/${j.id}`} className="text-blue-800 hover:underline">
                  {j.createdAt.toISOString().replace("T", " ").slice(0, 19)}
                </Link>
              </td>
              <td className="px-4 py-2">{j.kind}</td>
              <td className="px-4 py-2">{j.status}</td>
              <td className="px-4 py-2">{j.createdByName}</td>
              <td className="px-4 py-2 text-slate-600">{j.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
