import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { countTunnels, getGatewayLabel, listTunnelsPage, type TunnelListFilter } from "@/lib/db/inventory";
import { pageHref, pageWindow, parsePage } from "@/lib/domain/pagination";
import { parseHealthFilter, statesOf, type HealthFilter } from "@/lib/health/attention";
import { HEALTH_STATES } from "@/lib/health/evaluate";
import { ButtonLink, Card, PageHeader } from "@/components/ui";
import { TunnelTable } from "@/components/tunnel-table";
import { Pagination } from "@/components/pagination";
import { RotateAllPsks } from "./rotate-all-psks";
import { LiveHealth } from "@/components/live-health";

export const metadata = { title: "Tunnels" };

const PER_PAGE = 50;
const FILTERS: { value: HealthFilter | null; label: string }[] = [
  { value: null, label: "All" },
  { value: "attention", label: "Needs attention" },
  ...HEALTH_STATES.map((s) => ({ value: s, label: s })),
];

export default async function TunnelsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  const params = await searchParams;
  const health = parseHealthFilter(params.health);
  const gatewayId = typeof params.gateway === "string" && params.gateway ? params.gateway : undefined;
  const filter: TunnelListFilter = { states: health ? statesOf(health) : undefined, gatewayId };
  const [total, gateway] = await Promise.all([countTunnels(filter), gatewayId ? getGatewayLabel(gatewayId) : null]);
  if (gatewayId && !gateway) notFound();
  const w = pageWindow({ page: parsePage(params.page), perPage: PER_PAGE, total });
  const tunnels = await listTunnelsPage(filter, w);
  const href = (h: HealthFilter | null, page = 1) => pageHref("/tunnels", { health: h ?? undefined, gateway: gatewayId }, page);
  const noun = `${health === "attention" ? "tunnels that need attention" : health ? `${health} tunnels` : "tunnels"}${gateway ? ` of ${gateway.name} (${gateway.site.name})` : ""}`;
  return (
    <>
      <PageHeader
        title="Tunnels"
        actions={canManageInventory(user.role) ? <ButtonLink href="/tunnels/new">Add tunnel</ButtonLink> : null}
      />
      <LiveHealth />
      <Card>
        <nav aria-label="Filter by health" className="mb-4 flex flex-wrap items-center gap-2 text-sm" data-testid="health-filter">
          {FILTERS.map((f) => (
            <Link
              key={f.label}
              href={href(f.value)}
              aria-current={f.value === health ? "page" : undefined}
              className={`rounded-full border px-3 py-0.5 ${f.value === health ? "border-blue-700 bg-blue-50 font-semibold text-blue-800" : "border-slate-300 text-slate-700 hover:bg-slate-50"}`}
            >
              {f.label}
            </Link>
          ))}
          {gateway ? (
            <span className="ml-2 text-slate-600">
              at {gateway.name} ({gateway.site.name}) ·{" "}
              <Link href={pageHref("/tunnels", { health: health ?? undefined }, 1)} className="text-blue-800 hover:underline">
                every gateway
              </Link>
            </span>
          ) : null}
        </nav>
        <TunnelTable tunnels={tunnels} />
        <Pagination window={w} noun={noun} href={(p) => href(health, p)} />
      </Card>
      <RotateAllPsks />
    </>
  );
}
