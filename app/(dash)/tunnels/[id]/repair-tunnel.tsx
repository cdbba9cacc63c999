// The tunnel page's stuck-rotation banner and its "Repair" card: Repair puts the active
// key on both gateways again and proves it (a job, like rotation), whatever a failed
// rotation or a hand edit left there.
import { getCurrentUser } from "@/lib/auth/session";
import { canOperateTunnels, deniedReason } from "@/lib/auth/permissions";
import { getTunnel } from "@/lib/db/inventory";
import { getLatestJobOfKinds } from "@/lib/db/rotation";
import type { StuckState } from "@/lib/rotation/stuck-state";
import { Card } from "@/components/ui";
import { RotateControl } from "../rotate-control";
import { repairTunnelAction } from "../rotate-actions";

export function StuckBanner({ stuck }: { stuck: StuckState | null }) {
  if (!stuck) return null;
  return (
    <div role="alert" data-testid="stuck-banner" className="mb-6 rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-semibold">
        Rotation stuck since {stuck.since.toISOString()}: pending key v{stuck.pending.join(", v")} is not in use everywhere.
      </p>
      <p className="mt-1">Recorded: {stuck.ends}.</p>
      <p className="mt-1">{stuck.recovery}</p>
      <p className="mt-1">{stuck.todo}</p>
    </div>
  );
}

export async function RepairTunnel({ tunnelId, stuck }: { tunnelId: string; stuck: StuckState | null }) {
  const [user, tunnel, latest] = await Promise.all([
    getCurrentUser(),
    getTunnel(tunnelId),
    getLatestJobOfKinds("tunnel", tunnelId, ["repair"]),
  ]);
  if (!tunnel || tunnel.deployState !== "deployed") return null;
  const active = tunnel.keys.find((k) => k.status === "active");
  return (
    <Card title="Repair" className="mt-6">
      <p className="mb-3 text-sm text-slate-600">
        Puts the active key v{active?.version ?? "?"} on both gateways again, makes both use it (starting the tunnel if it is down) and
        proves a new IKE SA and LAN traffic. Use it when a rotation is stuck or a key was changed by hand.
      </p>
      {user && canOperateTunnels(user.role) ? (
        <RotateControl
          buttonLabel="Repair"
          confirmLabel="Repair now"
          testId="repair-control"
          confirmText={`Put key v${active?.version ?? "?"} on ${tunnel.ends.map((e) => e.gateway.name).join(" and ")} now?${stuck ? " This retires the pending key." : ""}`}
          start={repairTunnelAction.bind(null, tunnelId)}
          latestJobId={latest?.id ?? null}
        />
      ) : (
        <p className="text-sm text-slate-500" data-testid="denied-reason">
          {deniedReason(user?.role ?? "viewer", canOperateTunnels, "repair tunnels")}
        </p>
      )}
    </Card>
  );
}
