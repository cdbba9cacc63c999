import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { getOverviewCounts, listSites } from "@/lib/db/inventory";
import { ButtonLink, Card, EmptyState, PageHeader, PlatformBadge } from "@/components/ui";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requirePageUser();
  const [counts, sites] = await Promise.all([getOverviewCounts(), listSites()]);
  const canAdd = canManageInventory(user.role);
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle="Your IPsec gateway fleet"
        actions={canAdd && counts.sites > 0 ? <ButtonLink href="/sites/new">Add branch office</ButtonLink> : null}
      />
      {counts.sites === 0 ? (
        <EmptyState title="No sites yet">
          <p>Start with your headquarters (the hub), then add each branch office; Gatewarden creates the tunnel and its key.</p>
          {canAdd ? (
            <div className="mt-4">
              <ButtonLink href="/sites/new">Add your first site</ButtonLink>
            </div>
          ) : (
            <p className="mt-2">Ask an operator or admin to add the first site.</p>
          )}
        </EmptyState>
      ) : (
        <>
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4" data-testid="overview-counts">
            {(
              [
                ["Sites", counts.sites],
                ["Gateways", counts.gateways],
                ["Tunnels", counts.tunnels],
                ["LAN subnets", counts.subnets],
              ] as const
            ).map(([label, n]) => (
              <Card key={label}>
                <p className="text-sm text-slate-500">{label}</p>
                <p className="mt-1 text-3xl font-semibold" data-testid={`count-${label.toLowerCase().replace(/ /g, "-")}`}>
                  {n}
                </p>
              </Card>
            ))}
          </div>
          <Card title="Sites" className="mt-6">
            <ul className="divide-y divide-slate-100">
              {sites.map((s) => (
                <li key={s.id} className="flex items-center justify-between py-2 text-sm">
                  <Link href={`/sites/${s.id}`} className="font-medium text-blue-800 hover:underline">
                    {s.name}
                  </Link>
                  <span className="flex items-center gap-3 text-slate-600">
                    <span className="font-mono">{s.subnets.map((n) => n.cidr).join(", ")}</span>
                    {s.gateway ? <PlatformBadge platform={s.gateway.platform} /> : null}
                    <span>{s.gateway?._count.tunnelEnds ?? 0} tunnel(s)</span>
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        </>
      )}
    </>
  );
}
