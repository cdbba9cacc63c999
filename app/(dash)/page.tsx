import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { getOverviewCounts, listSites } from "@/lib/db/inventory";
import { listTunnelHealth } from "@/lib/db/health";
import { ButtonLink, Card, EmptyState, PageHeader, PlatformBadge } from "@/components/ui";
import { HEALTH_STATES } from "@/lib/health/evaluate";
import { HealthBadge, HEALTH_COLORS, ago } from "@/components/health-badge";
import { LiveHealth } from "@/components/live-health";
import { TopologyMap } from "@/components/topology-map";

const ATTENTION = ["down", "unreachable", "degraded"];

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requirePageUser();
  const [counts, sites, health] = await Promise.all([getOverviewCounts(), listSites(), listTunnelHealth()]);
  const canAdd = canManageInventory(user.role);
  const now = new Date();
  const byState = new Map(HEALTH_STATES.map((s) => [s, health.filter((t) => t.healthState === s).length]));
  // Worst first (down, unreachable, degraded), longest-standing first within a state.
  const attention = health
    .filter((t) => ATTENTION.includes(t.healthState))
    .sort((x, y) => ATTENTION.indexOf(x.healthState) - ATTENTION.indexOf(y.healthState) || (x.healthAt?.getTime() ?? 0) - (y.healthAt?.getTime() ?? 0));
  const nameOf = (t: (typeof health)[number]) => t.ends.map((e) => e.gateway.site.name).join(" ↔ ");
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
          <LiveHealth />
          <Card title="Needs attention" className="mb-6">
            {attention.length === 0 ? (
              <p className="text-sm text-slate-600" data-testid="needs-attention-empty">
                {health.length ? "Every checked tunnel is up." : "No tunnels yet."}
              </p>
            ) : (
              <ul className="divide-y divide-slate-100" data-testid="needs-attention">
                {attention.map((t) => (
                  <li key={t.id} className="flex items-start gap-3 py-2 text-sm" data-testid="attention-item">
                    <HealthBadge state={t.healthState} />
                    <div className="min-w-0">
                      <Link href={`/tunnels/${t.id}`} className="font-medium text-blue-800 hover:underline">
                        {nameOf(t)}
                      </Link>
                      <span className="ml-2 text-xs text-slate-500" title={t.healthAt?.toISOString()}>
                        since {ago(t.healthAt, now)}
                      </span>
                      <p className="break-words text-slate-700" data-testid="attention-reason">{t.healthReason}</p>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <div className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="health-counts">
            {HEALTH_STATES.map((s) => (
              <Card key={s}>
                <p className="flex items-center gap-2 text-sm text-slate-500">
                  <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: HEALTH_COLORS[s]!.stroke }} />
                  Tunnels {s}
                </p>
                <p className="mt-1 text-3xl font-semibold" data-testid={`health-count-${s}`}>
                  {byState.get(s)}
                </p>
              </Card>
            ))}
          </div>
          {health.length ? (
            <Card title="Topology" className="mb-6">
              <TopologyMap
                sites={sites.filter((s) => s.gateway).map((s) => ({ id: s.gateway!.id, siteId: s.id, label: `${s.name} · ${s.gateway!.name}` }))}
                tunnels={health.map((t) => ({ id: t.id, a: t.ends[0]!.gateway.id, b: t.ends[1]!.gateway.id, state: t.healthState, reason: t.healthReason }))}
              />
              <p className="mt-2 text-xs text-slate-500">Lines are tunnels, coloured by health; click one to open it.</p>
            </Card>
          ) : null}
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
