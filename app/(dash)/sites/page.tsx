import Link from "next/link";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { listSites } from "@/lib/db/inventory";
import { ButtonLink, EmptyState, PageHeader, PlatformBadge } from "@/components/ui";

export const metadata = { title: "Sites" };

export default async function SitesPage() {
  const user = await requirePageUser();
  const sites = await listSites();
  return (
    <>
      <PageHeader title="Sites" actions={canManageInventory(user.role) ? <ButtonLink href="/sites/new">Add branch office</ButtonLink> : null} />
      {sites.length === 0 ? (
        <EmptyState title="No sites yet">Add your headquarters first.</EmptyState>
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
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
        </table>
      )}
    </>
  );
}
