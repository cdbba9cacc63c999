import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory } from "@/lib/auth/permissions";
import { listTunnels } from "@/lib/db/inventory";
import { ButtonLink, Card, PageHeader } from "@/components/ui";
import { TunnelTable } from "@/components/tunnel-table";
import { RotateAllPsks } from "./rotate-all-psks";
import { LiveHealth } from "@/components/live-health";

export const metadata = { title: "Tunnels" };

export default async function TunnelsPage() {
  const user = await requirePageUser();
  const tunnels = await listTunnels();
  return (
    <>
      <PageHeader title="Tunnels" actions={canManageInventory(user.role) ? <ButtonLink href="/tunnels/new">Add tunnel</ButtonLink> : null} />
      <LiveHealth />
      <Card>
        <TunnelTable tunnels={tunnels} />
      </Card>
      <RotateAllPsks />
    </>
  );
}
