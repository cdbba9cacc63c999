// The fleet at a glance, the same size for 10 tunnels or 10,000: what needs attention
// (the worst ATTENTION_SHOWN), counts per health state (one aggregate), the topology
// map (whole for a small fleet, hubs and grouped spokes for a large one), and the
// busiest sites; the full lists are paginated on /tunnels and /sites.
import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { getOverviewCounts, listBusiestSites } from "@/lib/db/inventory";
import { countTunnelsByHealth, listWorstTunnels } from "@/lib/db/health";
import { ButtonLink, Card, EmptyState, PageHeader, PlatformBadge } from "@/components/ui";
import { HEALTH_STATES } from "@/lib/health/evaluate";
import { ATTENTION_STATES } from "@/lib/health/attention";
import { loadFleetMap } from "@/lib/health/load-fleet-map";
import { HEALTH_COLORS } from "@/components/health-badge";
import { LiveHealth } from "@/components/live-health";
import { TopologyMap } from "@/components/topology-map";
import { NeedsAttention } from "./needs-attention";
import { PskAgeNotice } from "./psk-age-notice";
import { loadSnapshotTunnels } from "@/lib/db/alerts";

const ATTENTION_SHOWN = 50;
const SITES_SHOWN = 10;

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requirePageUser();
  const counts = await getOverviewCounts();
  const canAdd = canManageInventory(user.role);
  if (counts.sites === 0) {
    return (
      <>
        <PageHeader title="Overview" subtitle="Your IPsec gateway fleet" />
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
      </>
    );
  }
  const [byState, worst, map, sites, keyAges] = await Promise.all([
    countTunnelsByHealth(),
    listWorstTunnels(ATTENTION_STATES, ATTENTION_SHOWN),
    counts.tunnels ? loadFleetMap(counts) : null,
    listBusiestSites(SITES_SHOWN),
    loadSnapshotTunnels({ withKeyAge: true }),
  ]);
  const attentionTotal = ATTENTION_STATES.reduce((n, s) => n + (byState[s] ?? 0), 0);
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle="Your IPsec gateway fleet"
        actions={canAdd ? <ButtonLink href="/sites/new">Add branch office</ButtonLink> : null}
      />
      <LiveHealth />
      <div className="mb-6 grid grid-cols-2 gap-4 md:grid-cols-5" data-testid="health-counts">
        {HEALTH_STATES.map((s) => (
          <Link
            key={s}
            href={`/tunnels?health=${s}`}
            className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm hover:border-slate-400"
          >
            <p className="flex items-center gap-2 text-sm text-slate-500">
              <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: HEALTH_COLORS[s]!.stroke }} />
              Tunnels {s}
            </p>
            <p className="mt-1 text-3xl font-semibold" data-testid={`health-count-${s}`}>
              {byState[s] ?? 0}
            </p>
          </Link>
        ))}
      </div>
      <NeedsAttention shown={worst} total={attentionTotal} byState={byState} />
      <PskAgeNotice tunnels={keyAges} now={new Date()} />
      {map ? (
        <Card title="Topology" className="mb-6">
          <TopologyMap map={map} />
          <p className="mt-2 text-xs text-slate-500">
            {map.mode === "full"
              ? "Lines are tunnels, coloured by health; click one to open it, or a gateway to open its site."
              : `${counts.gateways} gateways: the hubs with their spokes counted by health (click a count for the list), and tunnels between hubs. Branch-to-branch tunnels are counted under “Not via a hub”.`}
          </p>
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
      <Card title={counts.sites > sites.length ? "Busiest sites" : "Sites"} className="mt-6">
        <ul className="divide-y divide-slate-100" data-testid="overview-sites">
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
        {counts.sites > sites.length ? (
          <p className="mt-3 text-sm text-slate-600">
            The {sites.length} with the most tunnels of {counts.sites}.{" "}
            <Link href="/sites" className="font-medium text-blue-800 hover:underline">
              All sites
            </Link>
          </p>
        ) : null}
      </Card>
    </>
  );
}
