import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory, deniedReason } from "@/lib/auth/permissions";
import { getSite } from "@/lib/db/inventory";
import { Card, KeyValue, PageHeader, PlatformBadge } from "@/components/ui";
import { TunnelTable } from "@/components/tunnel-table";
import { RotateAllPsks } from "../../tunnels/rotate-all-psks";
import { DeleteButton } from "@/components/delete-button";
import { deleteSiteAction } from "../../delete-actions";
import { ProbeTargetForm } from "./probe-target-form";

export default async function SitePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const site = await getSite((await params).id);
  if (!site) notFound();
  const gw = site.gateway;
  return (
    <>
      <PageHeader
        title={site.name}
        subtitle={site.description || "Site"}
        actions={
          <DeleteButton
            label="Delete site"
            confirm={`Delete ${site.name}, its subnets and its gateway from Gatewarden?`}
            action={deleteSiteAction.bind(null, site.id)}
            deniedReason={deniedReason(user.role, canManageInventory, "delete sites")}
          />
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="LAN subnets">
          <ul className="font-mono text-sm" data-testid="site-subnets">
            {site.subnets.map((s) => (
              <li key={s.id}>{s.cidr}</li>
            ))}
          </ul>
          <div className="mt-4 border-t border-slate-100 pt-4" data-testid="probe-target">
            <ProbeTargetForm
              siteId={site.id}
              probeTarget={site.probeTarget}
              deniedReason={deniedReason(user.role, canManageInventory, "change sites")}
            />
          </div>
        </Card>
        <Card title="Gateway">
          {gw ? (
            <>
              <p className="mb-3">
                <Link href={`/gateways/${gw.id}`} className="font-medium text-blue-800 hover:underline">
                  {gw.name}
                </Link>{" "}
                <PlatformBadge platform={gw.platform} />
              </p>
              <KeyValue
                items={[
                  ["Public IP", gw.publicIp],
                  ["LAN address", gw.lanAddress],
                  ["SSH", `${gw.sshUser}@${gw.sshHost}:${gw.sshPort}`],
                  ["Host key", gw.hostKeyFingerprint ?? "not pinned yet"],
                ]}
              />
            </>
          ) : (
            <p className="text-sm text-slate-500">No gateway.</p>
          )}
        </Card>
      </div>
      <Card title="Tunnels" className="mt-6">
        <TunnelTable tunnels={gw?.tunnelEnds.map((e) => e.tunnel) ?? []} />
      </Card>
      {gw ? <RotateAllPsks siteId={site.id} /> : null}
    </>
  );
}
