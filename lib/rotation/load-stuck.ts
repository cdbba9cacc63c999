// The tunnel page's stuck-rotation state, from the rows (stuck-state.ts decides).
import "server-only";
import { getStuckRotationRows } from "@/lib/db/rotation";
import { stuckState, type StuckState } from "@/lib/rotation/stuck-state";

export async function loadStuckState(tunnelId: string): Promise<StuckState | null> {
  const rows = await getStuckRotationRows(tunnelId);
  if (!rows) return null;
  const params = rows.recovery ? (JSON.parse(rows.recovery.params) as { attempt?: number; notBefore?: string }) : null;
  return stuckState(
    {
      deployState: rows.deployState,
      ends: rows.ends.map((e) => ({ role: e.role, appliedPskVersion: e.appliedPskVersion, gatewayName: e.gateway.name })),
      keys: rows.keys,
      running: rows.running,
      recovery: rows.recovery
        ? {
            id: rows.recovery.id,
            status: rows.recovery.status,
            attempt: params?.attempt ?? null,
            notBefore: params?.notBefore ? new Date(params.notBefore) : null,
            error: rows.recovery.error,
          }
        : null,
    },
    new Date(),
  );
}
