import { requirePageUser } from "@/lib/auth/session";
import { canManageInventory, deniedReason } from "@/lib/auth/permissions";
import { listCryptoProfiles, listGatewayChoices } from "@/lib/db/inventory";
import { listSshCredentialChoices } from "@/lib/db/ssh-credentials";
import { parseProfileSpec } from "@/lib/db/crypto-profiles";
import { profileChoices } from "@/lib/inventory/profile-lint";
import { platformOptions } from "@/lib/platforms";
import { PageHeader } from "@/components/ui";
import { BranchOfficeWizard } from "./wizard";

export const metadata = { title: "Add branch office" };

export default async function NewSitePage() {
  const user = await requirePageUser();
  const [gateways, profiles, credentials] = await Promise.all([listGatewayChoices(), listCryptoProfiles(), listSshCredentialChoices()]);
  const denied = deniedReason(user.role, canManageInventory, "add sites");
  return (
    <>
      <PageHeader title="Add branch office" subtitle="Site, LAN, gateway and the tunnel to the hub; each step is checked before the next" />
      {denied ? (
        <p role="alert" className="mb-4 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-900">
          {denied} The form is shown for reference.
        </p>
      ) : null}
      <BranchOfficeWizard
        hubs={gateways.map((g) => ({ id: g.id, label: `${g.name} — ${g.site.name} (${g.publicIp})`, platform: g.platform }))}
        profiles={profileChoices(profiles, parseProfileSpec)}
        platforms={platformOptions()}
        deniedReason={denied}
        credentials={credentials}
      />
    </>
  );
}
