// The tunnel page's "Rotate PSK" card: one click (and a confirmation) replaces the key
// on both routers, proves a new IKE SA, and shows the rotate job live.
import { getCurrentUser } from "@/lib/auth/session";
import { canOperateTunnels, deniedReason } from "@/lib/auth/permissions";
import { getTunnel } from "@/lib/db/inventory";
import { getLatestJobOfKinds } from "@/lib/db/rotation";
import { Card } from "@/components/ui";
import { RotateControl } from "../rotate-control";
import { rotateTunnelPskAction } from "../rotate-actions";

export async function RotatePsk({ tunnelId, stuck = false }: { tunnelId: string; stuck?: boolean }) {
  const [user, tunnel, latest] = await Promise.all([
    getCurrentUser(),
    getTunnel(tunnelId),
    getLatestJobOfKinds("tunnel", tunnelId, ["rotate", "rotate-recover"]),
  ]);
  if (!tunnel) return null;
  const active = tunnel.keys.find((k) => k.status === "active");
  const notDeployed =
    tunnel.deployState !== "deployed"
      ? `Not deployed (${tunnel.deployState}): deploy the tunnel before rotating its key.`
      : stuck
        ? "The last rotation is stuck: press Repair below first (or wait for its recovery)."
        : null;
  return (
    <Card title="Rotate pre-shared key" className="mt-6">
      <p className="mb-3 text-sm text-slate-600">
        Generates key v{(tunnel.keys[0]?.version ?? 0) + 1} (active now: v{active?.version ?? "?"}), writes it to both gateways, makes both
        use it and proves a new IKE SA and LAN traffic. If anything fails, both gateways go back to the current key.
      </p>
      {user && canOperateTunnels(user.role) ? (
        <RotateControl
          buttonLabel="Rotate PSK"
          confirmText={`Replace the pre-shared key of this tunnel on ${tunnel.ends.map((e) => e.gateway.name).join(" and ")} now?`}
          start={rotateTunnelPskAction.bind(null, tunnelId)}
          latestJobId={latest?.id ?? null}
          disabledReason={notDeployed}
        />
      ) : (
        <p className="text-sm text-slate-500" data-testid="denied-reason">
          {deniedReason(user?.role ?? "viewer", canOperateTunnels, "rotate keys")}
        </p>
      )}
    </Card>
  );
}
