import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import {
  canAcceptHostKey,
  canManageCredentials,
  canManageInventory,
  canOperateTunnels,
  canRevealPsk,
  deniedReason,
} from "@/lib/auth/permissions";
import { listSshCredentialChoices } from "@/lib/db/ssh-credentials";
import { getGateway } from "@/lib/db/inventory";
import { listJobs } from "@/lib/db/jobs";
import { isPlatformId } from "@/lib/platforms";
import { previewGatewayConfig } from "@/lib/rendering/previews";
import { Card, KeyValue, PageHeader, PlatformBadge } from "@/components/ui";
import { TunnelTable } from "@/components/tunnel-table";
import { GatewayConfiguration } from "./configuration";
import { HostKeyPanel } from "./host-key-panel";
import { ConvertKeyForm, SshAccessForm } from "./ssh-access-form";
import { ManagementBadge } from "@/components/management-badge";

export default async function GatewayPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const gw = await getGateway((await params).id);
  if (!gw) notFound();
  // Jobs on the gateway itself: the cleanups deploys queued after losing SSH to it.
  const jobs = await listJobs({ targetType: "gateway", targetId: gw.id, take: 10 });
  const credentials = await listSshCredentialChoices();
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
            · <PlatformBadge platform={gw.platform} /> ·{" "}
            <ManagementBadge state={gw.reachability} reason={gw.reachabilityReason} at={gw.reachabilityAt} />
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
              [
                "Credential",
                gw.sshCredential ? (
                  <Link key="c" className="text-blue-800 hover:underline" href="/settings/ssh-credentials" data-testid="gateway-credential">
                    {gw.sshCredential.name} ({gw.sshCredential.fingerprint})
                  </Link>
                ) : gw.sshAuthType === "key" ? (
                  "its own private key (encrypted at rest)"
                ) : (
                  "its own password (encrypted at rest)"
                ),
              ],
              ["Pinned host key", gw.hostKeyFingerprint ?? "none yet: accepted at first contact"],
            ]}
          />
        </Card>
      </div>
      {canManageInventory(user.role) ? (
        <Card title="Change SSH access" className="mt-6">
          <SshAccessForm
            gatewayId={gw.id}
            sshHost={gw.sshHost}
            sshPort={gw.sshPort}
            sshUser={gw.sshUser}
            sshAuthType={gw.sshAuthType}
            sshCredentialId={gw.sshCredential?.id ?? ""}
            credentials={credentials}
          />
        </Card>
      ) : null}
      {gw.sshAuthType === "key" ? (
        <Card title="Make a named credential" className="mt-6">
          <p className="mb-3 text-sm text-slate-600">
            Turns this gateway&apos;s own key into a named SSH credential that other gateways can pick and that can be rotated across all of
            them. Every gateway holding the same key joins it.
          </p>
          <ConvertKeyForm gatewayId={gw.id} disabledReason={deniedReason(user.role, canManageCredentials, "manage SSH credentials")} />
        </Card>
      ) : null}
      <Card title="Host key and deploys" className="mt-6">
        <HostKeyPanel
          gatewayId={gw.id}
          pinned={gw.hostKeyFingerprint}
          seen={gw.hostKeySeen}
          reachability={gw.reachability}
          reachabilityReason={gw.reachabilityReason}
          denied={{
            check: deniedReason(user.role, canOperateTunnels, "contact gateways or deploy"),
            accept: deniedReason(user.role, canAcceptHostKey, "trust SSH host keys"),
            deploy: deniedReason(user.role, canOperateTunnels, "contact gateways or deploy"),
          }}
        />
      </Card>
      {jobs.length ? (
        <Card title="Cleanup jobs" className="mt-6">
          <p className="mb-2 text-sm text-slate-600">
            Queued when a deploy lost the SSH connection to this gateway: each waits for it to answer, then undoes what that deploy left.
          </p>
          <ul className="space-y-1 text-sm" data-testid="gateway-jobs">
            {jobs.map((j) => (
              <li key={j.id}>
                <Link className="text-blue-800 hover:underline" href={`/jobs/${j.id}`}>
                  {j.kind} {j.id}
                </Link>{" "}
                — {j.status}, queued {j.createdAt.toISOString()}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <Card title="Tunnels" className="mt-6">
        <TunnelTable tunnels={gw.tunnelEnds.map((e) => e.tunnel)} />
      </Card>
      {preview ? <GatewayConfiguration gatewayId={gw.id} preview={preview} canDownload={canRevealPsk(user.role)} /> : null}
    </>
  );
}
