import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { getTunnel } from "@/lib/db/inventory";
import { listJobs } from "@/lib/db/jobs";
import { previewTunnelConfig } from "@/lib/rendering/previews";
import { Card, KeyValue, PageHeader, PlatformBadge } from "@/components/ui";
import { RevealPsk } from "./reveal-psk";
import { TunnelConfiguration } from "./configuration";
import { TunnelJobs } from "./tunnel-jobs";
import { HealthPanel } from "./health-panel";
import { RotatePsk } from "./rotate-psk";
import { deleteTunnelAction } from "../../delete-actions";
import { DeleteButton } from "@/components/delete-button";

export default async function TunnelPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const id = (await params).id;
  const [tunnel, config, jobs] = await Promise.all([
    getTunnel(id),
    previewTunnelConfig(id),
    listJobs({ targetType: "tunnel", targetId: id, take: 1 }),
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
          />
        }
      />
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
                ["Interface", end.interfaceName],
                ["Endpoint", end.gateway.publicIp],
                ["LAN", end.gateway.site.subnets.map((s) => s.cidr).join(", ")],
              ]}
            />
          </Card>
        ))}
      </div>
      <Card title="Deployment" className="mt-6">
        <TunnelJobs tunnelId={tunnel.id} latestJobId={jobs[0]?.id ?? null} deployState={tunnel.deployState} />
      </Card>
      <Card title="Pre-shared key" className="mt-6">
        <RevealPsk tunnelId={tunnel.id} version={active?.version ?? null} />
        <ul className="mt-4 text-xs text-slate-500">
          {tunnel.keys.map((k) => (
            <li key={k.id}>
              v{k.version}: {k.status}, created {k.createdAt.toISOString()}
            </li>
          ))}
        </ul>
      </Card>
      <RotatePsk tunnelId={tunnel.id} />
      <TunnelConfiguration profile={config.profile} ends={config.ends} />
    </>
  );
}
