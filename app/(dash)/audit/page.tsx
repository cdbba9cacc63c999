import { requirePageUser } from "@/lib/auth/session";
import { When } from "@/components/when";
import { listAuditEvents } from "@/lib/db/audit";
import { PageHeader, ScrollTable } from "@/components/ui";

export const metadata = { title: "Audit log" };

export default async function AuditPage() {
  await requirePageUser();
  const events = await listAuditEvents({ take: 500 });
  return (
    <>
      <PageHeader title="Audit log" subtitle="Every change, sign-in and key reveal; newest first" />
      <ScrollTable testId="audit-table" className="rounded-lg border border-slate-200 bg-white shadow-sm">
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            <th className="px-4 py-2">When (UTC)</th>
            <th className="px-4 py-2">Who</th>
            <th className="px-4 py-2">Action</th>
            <th className="px-4 py-2">What</th>
            <th className="px-4 py-2">Change</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">
          {events.map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td className="whitespace-nowrap px-4 py-2 text-xs">
                <When date={e.at} />
              </td>
              <td className="px-4 py-2">{e.actorName}</td>
              <td className="px-4 py-2 font-mono text-xs">{e.action}</td>
              <td className="px-4 py-2">{e.summary}</td>
              <td className="px-4 py-2 font-mono text-xs text-slate-600">
                {e.before ? <div>before: {e.before}</div> : null}
                {e.after ? <div>after: {e.after}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </>
  );
}
