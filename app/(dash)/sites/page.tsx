import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { countSites, listSitesPage } from "@/lib/db/inventory";
import { pageHref, pageWindow, parsePage } from "@/lib/domain/pagination";
import { ButtonLink, EmptyState, PageHeader, PlatformBadge, ScrollTable } from "@/components/ui";
import { Pagination } from "@/components/pagination";

export const metadata = { title: "Sites" };

const PER_PAGE = 50;

export default async function SitesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  const total = await countSites();
  const w = pageWindow({ page: parsePage((await searchParams).page), perPage: PER_PAGE, total });
  const sites = total ? await listSitesPage(w) : [];
  return (
    <>
      <PageHeader
        title="Sites"
        actions={canManageInventory(user.role) ? <ButtonLink href="/sites/new">Add branch office</ButtonLink> : null}
      />
      {sites.length === 0 ? (
        <EmptyState title="No sites yet">Add your headquarters first.</EmptyState>
      ) : (
        <>
          <ScrollTable testId="site-table" className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
            <thead className="bg-slate-50 text-left text-slate-600">
              <tr>
                <th className="px-4 py-2">Site</th>
                <th className="px-4 py-2">LAN subnets</th>
                <th className="px-4 py-2">Gateway</th>
                <th className="px-4 py-2">Endpoint</th>
                <th className="px-4 py-2">Tunnels</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sites.map((s) => (
                <tr key={s.id}>
                  <td className="px-4 py-2">
                    <Link href={`/sites/${s.id}`} className="font-medium text-blue-800 hover:underline">
                      {s.name}
                    </Link>
                  </td>
                  <td className="px-4 py-2 font-mono">{s.subnets.map((n) => n.cidr).join(", ")}</td>
                  <td className="px-4 py-2">
                    {s.gateway ? (
                      <Link href={`/gateways/${s.gateway.id}`} className="hover:underline">
                        {s.gateway.name} <PlatformBadge platform={s.gateway.platform} />
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-4 py-2 font-mono">{s.gateway?.publicIp ?? "—"}</td>
                  <td className="px-4 py-2">{s.gateway?._count.tunnelEnds ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
          <Pagination window={w} noun="sites" href={(p) => pageHref("/sites", {}, p)} />
        </>
      )}
    </>
  );
}
