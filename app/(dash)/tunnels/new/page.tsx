import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory, deniedReason } from "@/lib/auth/permissions";
import { listCryptoProfiles, listGatewayChoices } from "@/lib/db/inventory";
import { parseProfileSpec } from "@/lib/db/crypto-profiles";
import { profileChoices } from "@/lib/inventory/profile-lint";
import { PageHeader } from "@/components/ui";
import { TunnelForm } from "./tunnel-form";

export const metadata = { title: "Add tunnel" };

export default async function NewTunnelPage() {
  const user = await requirePageUser();
  const [gateways, profiles] = await Promise.all([listGatewayChoices(), listCryptoProfiles()]);
  return (
    <>
      <PageHeader
        title="Add tunnel"
        subtitle="Between two existing gateways: host-to-host (the gateways themselves, “node-to-node” in the CentOS setup) or net-to-net (their LANs)"
      />
      <TunnelForm
        gateways={gateways.map((g) => ({ id: g.id, label: `${g.name} — ${g.site.name} (${g.publicIp})`, platform: g.platform }))}
        profiles={profileChoices(profiles, parseProfileSpec)}
        deniedReason={deniedReason(user.role, canManageInventory, "add tunnels")}
      />
    </>
  );
}
