// Starting a PSK rotation from the UI: one tunnel, every tunnel of a site, or every
// tunnel (or, for the maintenance window, the tunnels whose keys are due). Checks what
// can be rotated (deployed, host keys pinned) and queues one rotate job; the job itself
// runs in the background.
import "server-only";
import { listTunnelsForRotation } from "@/lib/db/rotation";
import { enqueueJob } from "@/lib/jobs/runtime";
import type { AuditActor } from "@/lib/db/audit";
import { AppError } from "@/lib/errors";
import { loadStuckState } from "@/lib/rotation/load-stuck";

/** Queues a repair job: the tunnel's active key on both ends again, verified (lib/rotation/repair-tunnel.ts). */
export async function startRepair(actor: AuditActor, tunnelId: string): Promise<string> {
  const [t] = await listTunnelsForRotation({ tunnelIds: [tunnelId] });
  if (!t) throw new AppError("not_found", "This tunnel no longer exists.");
  if (t.deployState !== "deployed")
    throw new AppError("not_deployed", `This tunnel is ${t.deployState}, not deployed: deploy it instead of repairing it.`);
  const unpinned = t.ends.filter((e) => !e.gateway.hostKeyFingerprint).map((e) => e.gateway.name);
  if (unpinned.length) throw new AppError("host_key", `Accept the SSH host key of ${unpinned.join(" and ")} on the gateway page first.`);
  return enqueueJob({ kind: "repair", targetType: "tunnel", targetId: tunnelId, params: { tunnelId }, actor });
}

export type RotationScope = { tunnelId: string } | { siteId: string } | { tunnelIds: string[] } | { all: true };

export type RotationStart = { jobId: string; tunnels: number; skipped: string[] };

export async function startPskRotation(actor: AuditActor, scope: RotationScope): Promise<RotationStart> {
  const tunnels = await listTunnelsForRotation(
    "tunnelId" in scope
      ? { tunnelIds: [scope.tunnelId] }
      : "siteId" in scope
        ? { siteId: scope.siteId }
        : "tunnelIds" in scope
          ? { tunnelIds: scope.tunnelIds }
          : {},
  );
  const name = (t: (typeof tunnels)[number]) => t.ends.map((e) => e.gateway.name).join(" ↔ ");
  if ("tunnelId" in scope) {
    const t = tunnels[0];
    if (!t) throw new AppError("not_found", "This tunnel no longer exists.");
    if (t.deployState !== "deployed") {
      throw new AppError(
        "not_deployed",
        `This tunnel is ${t.deployState}, not deployed: there is no key on the routers to rotate. Deploy it first.`,
      );
    }
    const stuck = await loadStuckState(scope.tunnelId);
    if (stuck) {
      throw new AppError(
        "stuck",
        `The last rotation of this tunnel is stuck (pending key v${stuck.pending.join(", v")}; ${stuck.ends}). ${stuck.recovery} Press Repair to put the active key on both ends first.`,
      );
    }
  }
  if (!tunnels.length) throw new AppError("nothing", "There are no tunnels to rotate.");
  const unpinned = tunnels.filter((t) => t.ends.some((e) => !e.gateway.hostKeyFingerprint));
  const notDeployed = tunnels.filter((t) => t.deployState !== "deployed");
  const ready = tunnels.filter((t) => t.deployState === "deployed" && !unpinned.includes(t));
  const skipped = [
    ...notDeployed.map((t) => `${name(t)} (${t.deployState}, not deployed)`),
    ...unpinned.filter((t) => !notDeployed.includes(t)).map((t) => `${name(t)} (host key not accepted)`),
  ];
  if (!ready.length)
    throw new AppError("nothing", `No tunnel can be rotated: ${skipped.join("; ")}. Only deployed tunnels can be rotated.`);
  const target =
    "tunnelId" in scope
      ? { targetType: "tunnel", targetId: scope.tunnelId }
      : "siteId" in scope
        ? { targetType: "site", targetId: scope.siteId }
        : "tunnelIds" in scope
          ? { targetType: "fleet", targetId: "scheduled" }
          : { targetType: "fleet", targetId: "all" };
  const jobId = await enqueueJob({ kind: "rotate", ...target, params: { tunnelIds: ready.map((t) => t.id) }, actor });
  return { jobId, tunnels: ready.length, skipped };
}
