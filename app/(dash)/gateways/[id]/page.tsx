import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory, canRevealPsk } from "@/lib/auth/permissions";
import { getGateway } from "@/lib/db/inventory";
import { isPlatformId } from "@/lib/platforms";
import { previewGatewayConfig } from "@/lib/rendering/previews";
import { Card, KeyValue, PageHeader, PlatformBadge } from "@/components/ui";
import { TunnelTable } from "@/components/tunnel-table";
import { GatewayConfiguration } from "./configuration";
import { HostKeyPanel } from "./host-key-panel";
import { SshAccessForm } from "./ssh-access-form";

export default async function GatewayPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const gw = await getGateway((await params).id);
  if (!gw) notFound();
  const preview = isPlatformId(gw.platform) ? await previewGatewayConfig(gw.id, gw.platform) : null;
  return (
    <>
      <PageHeader
        title={gw.name}
        subtitle={
          <>
            Gateway of{" "}
            <Link className="text-blue-800 hover:underline" href={`/sites/${gw.siteId}`}>
              {gw.site.name}
            </Link>{" "}
            · <PlatformBadge platform={gw.platform} />
          </>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="Addresses">
          <KeyValue
            items={[
              ["Tunnel endpoint", gw.publicIp],
              ["WAN interface", gw.wanInterface],
              ["LAN interface", gw.lanInterface],
              ["LAN address (SRCGW)", gw.lanAddress],
              ["LAN subnets", gw.site.subnets.map((s) => s.cidr).join(", ")],
            ]}
          />
        </Card>
        <Card title="SSH access">
          <KeyValue
            items={[
              ["Address", `${gw.sshHost}:${gw.sshPort}`],
              ["User", gw.sshUser],
              ["Credential", gw.sshAuthType === "key" ? "private key (encrypted at rest)" : "password (encrypted at rest)"],
              ["Pinned host key", gw.hostKeyFingerprint ?? "none yet: accepted at first contact"],
            ]}
          />
        </Card>
      </div>
      {canManageInventory(user.role) ? (
        <Card title="Change SSH access" className="mt-6">
          <SshAccessForm gatewayId={gw.id} sshHost={gw.sshHost} sshPort={gw.sshPort} sshUser={gw.sshUser} sshAuthType={gw.sshAuthType} />
        </Card>
      ) : null}
      <Card title="Host key and deploys" className="mt-6">
        <HostKeyPanel
          gatewayId={gw.id}
          pinned={gw.hostKeyFingerprint}
          seen={gw.hostKeySeen}
          reachability={gw.reachability}
          reachabilityReason={gw.reachabilityReason}
        />
      </Card>
      <Card title="Tunnels" className="mt-6">
        <TunnelTable tunnels={gw.tunnelEnds.map((e) => e.tunnel)} />
      </Card>
      {preview ? <GatewayConfiguration gatewayId={gw.id} preview={preview} canDownload={canRevealPsk(user.role)} /> : null}
    </>
  );
}
