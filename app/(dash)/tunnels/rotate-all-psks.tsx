// "Rotate all PSKs" (tunnels page) and "Rotate all PSKs of this site" (site page): one
// rotate job for every deployed tunnel in scope, with per-tunnel steps in its view.
import { getCurrentUser } from "@/lib/auth/session";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { getLatestJobOfKinds } from "@/lib/db/rotation";
import { Card } from "@/components/ui";
import { RotateControl } from "./rotate-control";
import { rotateAllPsksAction, rotateSitePsksAction } from "./rotate-actions";

export async function RotateAllPsks({ siteId }: { siteId?: string }) {
  const user = await getCurrentUser();
  if (!user || !canOperateTunnels(user.role)) return null;
  const latest = await getLatestJobOfKinds(siteId ? "site" : "fleet", siteId ?? "all", ["rotate"]);
  return (
    <Card title="Key rotation" className="mt-6">
      <RotateControl
        buttonLabel={siteId ? "Rotate all PSKs of this site" : "Rotate all PSKs"}
        confirmText={`Replace the pre-shared key of every deployed tunnel ${siteId ? "of this site" : "of every site"} now? Each tunnel is rotated and verified on its own; one that fails goes back to its current key.`}
        start={siteId ? rotateSitePsksAction.bind(null, siteId) : rotateAllPsksAction}
        latestJobId={latest?.id ?? null}
      />
    </Card>
  );
}
