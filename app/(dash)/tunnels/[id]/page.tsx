import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory, canOperateTunnels, canRevealPsk, deniedReason } from "@/lib/auth/permissions";
import { getTunnel } from "@/lib/db/inventory";
import { DEPLOY_JOB_KINDS, getLatestJobOfKinds } from "@/lib/db/rotation";
import { previewTunnelConfig } from "@/lib/rendering/previews";
import { Card, KeyValue, PageHeader, PlatformBadge } from "@/components/ui";
import { RevealPsk } from "./reveal-psk";
import { TunnelConfiguration } from "./configuration";
import { TunnelJobs } from "./tunnel-jobs";
import { HealthPanel } from "./health-panel";
import { RotatePsk } from "./rotate-psk";
import { RepairTunnel, StuckBanner } from "./repair-tunnel";
import { loadStuckState } from "@/lib/rotation/load-stuck";
import { deleteTunnelAction } from "../../delete-actions";
import { DeleteButton } from "@/components/delete-button";
import { ManagementBadge } from "@/components/management-badge";

export default async function TunnelPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const id = (await params).id;
  const [tunnel, config, latestDeploy, stuck] = await Promise.all([
    getTunnel(id),
    previewTunnelConfig(id),
    getLatestJobOfKinds("tunnel", id, DEPLOY_JOB_KINDS),
    loadStuckState(id),
  ]);
  if (!tunnel || !config) notFound();
  const active = tunnel.keys.find((k) => k.status === "active") ?? null;
  const [a, b] = tunnel.ends;
  return (
    <>
      <PageHeader
        title={`${a?.gateway.site.name} ↔ ${b?.gateway.site.name}`}
        subtitle={`${tunnel.kind} tunnel · profile ${tunnel.cryptoProfile.name}`}
        actions={
          <DeleteButton
            label="Delete tunnel"
            confirm="Delete this tunnel from Gatewarden? (It must be torn down first.)"
            action={deleteTunnelAction.bind(null, tunnel.id)}
            deniedReason={deniedReason(user.role, canManageInventory, "delete tunnels")}
          />
        }
      />
      <StuckBanner stuck={stuck} />
      <HealthPanel tunnelId={tunnel.id} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        {tunnel.ends.map((end) => (
          <Card key={end.id} title={`End ${end.role.toUpperCase()}: ${end.gateway.name}`}>
            <KeyValue
              items={[
                [
                  "Site",
                  <Link key="s" href={`/sites/${end.gateway.siteId}`} className="text-blue-800 hover:underline">
                    {end.gateway.site.name}
                  </Link>,
                ],
                ["Platform", <PlatformBadge key="p" platform={end.gateway.platform} />],
                [
                  "Management",
                  <span key="m" className="space-x-2">
                    <ManagementBadge
                      gateway={end.gateway.name}
                      state={end.gateway.reachability}
                      reason={end.gateway.reachabilityReason}
                      at={end.gateway.reachabilityAt}
                    />
                    {end.gateway.reachabilityReason ? (
                      <span className="text-xs text-slate-600">{end.gateway.reachabilityReason}</span>
                    ) : null}
                  </span>,
                ],
                ["Interface", end.interfaceName],
                ["Endpoint", end.gateway.publicIp],
                ["LAN", end.gateway.site.subnets.map((s) => s.cidr).join(", ")],
              ]}
            />
          </Card>
        ))}
      </div>
      <Card title="Deployment" className="mt-6">
        <TunnelJobs
          tunnelId={tunnel.id}
          latestJobId={latestDeploy?.id ?? null}
          deployState={tunnel.deployState}
          deniedReason={deniedReason(user.role, canOperateTunnels, "deploy or tear down tunnels")}
        />
      </Card>
      <Card title="Pre-shared key" className="mt-6">
        <RevealPsk
          tunnelId={tunnel.id}
          version={active?.version ?? null}
          deniedReason={deniedReason(user.role, canRevealPsk, "see keys")}
        />
        <ul className="mt-4 text-xs text-slate-500">
          {tunnel.keys.map((k) => (
            <li key={k.id}>
              v{k.version}: {k.status}, created {k.createdAt.toISOString()}
            </li>
          ))}
        </ul>
      </Card>
      <RotatePsk tunnelId={tunnel.id} stuck={stuck !== null} />
      <RepairTunnel tunnelId={tunnel.id} stuck={stuck} />
      <TunnelConfiguration profile={config.profile} ends={config.ends} />
    </>
  );
}
