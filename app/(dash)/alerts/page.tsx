import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageAlerts } from "@/lib/auth/permissions";
import { countPendingAlerts, listAlerts } from "@/lib/db/alerts";
import { pageHref, pageWindow, parsePage } from "@/lib/domain/pagination";
import { Card, EmptyState, PageHeader } from "@/components/ui";
import { Pagination } from "@/components/pagination";
import { ago } from "@/components/health-badge";

export const metadata = { title: "Alerts" };
const PER_PAGE = 25;

const STATUS_PILL: Record<string, string> = {
  firing: "bg-red-100 text-red-800",
  resolved: "bg-green-100 text-green-800",
};
const DELIVERY_PILL: Record<string, string> = {
  delivered: "text-green-800",
  pending: "text-amber-700",
  failed: "text-red-800",
};

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const user = await requirePageUser();
  const page = parsePage((await searchParams).page);
  const [firing, pending] = await Promise.all([listAlerts({ status: "open", take: 100 }), countPendingAlerts()]);
  const history = await listAlerts({ skip: (page - 1) * PER_PAGE, take: PER_PAGE });
  const w = pageWindow({ page, perPage: PER_PAGE, total: history.total });
  const now = new Date();
  return (
    <>
      <PageHeader
        title="Alerts"
        subtitle={`${firing.total} firing${pending ? ` · ${pending} waiting out their grace period` : ""}`}
        actions={
          canManageAlerts(user.role) ? (
            <Link href="/alerts/settings" className="text-sm text-blue-700 hover:underline">
              Channels, rules and key age
            </Link>
          ) : null
        }
      />
      <div className="space-y-6">
        <Card title="Firing now">
          {firing.rows.length ? (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="alerts-firing">
              {firing.rows.map((a) => (
                <li key={a.id} className="py-2">
                  <a href={a.link} className="font-medium text-blue-700 hover:underline">
                    {a.title}
                  </a>
                  <span className="ml-2 text-slate-500">since {ago(a.since, now)}</span>
                  <p className="text-slate-600">{a.reason}</p>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState title="Nothing is firing">Alerts appear here while a rule&apos;s condition lasts past its grace period.</EmptyState>
          )}
        </Card>
        <Card title="History">
          {history.rows.length ? (
            <table className="w-full text-sm" data-testid="alerts-history">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="py-1.5 font-medium">Alert</th>
                  <th className="py-1.5 font-medium">Status</th>
                  <th className="py-1.5 font-medium">Rule</th>
                  <th className="py-1.5 font-medium">Since</th>
                  <th className="py-1.5 font-medium">Resolved</th>
                  <th className="py-1.5 font-medium">Deliveries</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {history.rows.map((a) => (
                  <tr key={a.id}>
                    <td className="py-1.5">
                      <a href={a.link} className="text-blue-700 hover:underline">
                        {a.title}
                      </a>
                      <div className="text-xs text-slate-500">
                        {a.state}: {a.reason}
                      </div>
                    </td>
                    <td className="py-1.5">
                      <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_PILL[a.status] ?? ""}`}>{a.status}</span>
                    </td>
                    <td className="py-1.5">{a.rule.name}</td>
                    <td className="py-1.5 whitespace-nowrap">{a.since.toISOString().replace("T", " ").slice(0, 19)}</td>
                    <td className="py-1.5 whitespace-nowrap">
                      {a.resolvedAt ? a.resolvedAt.toISOString().replace("T", " ").slice(0, 19) : "—"}
                    </td>
                    <td className="py-1.5">
                      <ul className="text-xs" data-testid="alert-deliveries">
                        {a.deliveries.map((d) => (
                          <li key={d.id} className={DELIVERY_PILL[d.status] ?? ""}>
                            {d.event} → {d.channel.name}: {d.status}
                            {d.attempts > 1 ? ` after ${d.attempts} attempts` : ""}
                            {d.lastError ? ` (${d.lastError})` : ""}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <EmptyState title="No alerts yet">Each alert is kept here with its deliveries once it fires.</EmptyState>
          )}
          <Pagination window={w} noun="alerts" href={(p) => pageHref("/alerts", {}, p)} />
        </Card>
      </div>
    </>
  );
}
