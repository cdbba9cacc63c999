"use server";
import { revalidatePath } from "next/cache";
import { requirePermission } from "@/lib/auth/session";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { startTunnelJob, type TunnelJobKind } from "@/lib/inventory/tunnel-jobs";
import { AppError } from "@/lib/errors";

export type JobStart = { ok: true; jobId: string } | { ok: false; message: string };

export async function startTunnelJobAction(tunnelId: string, kind: TunnelJobKind): Promise<JobStart> {
  try {
    const user = await requirePermission(canOperateTunnels, kind === "teardown" ? "tear tunnels down" : "deploy tunnels");
    const jobId = await startTunnelJob({ id: user.id, username: user.username }, tunnelId, kind);
    revalidatePath(`/tunnels/${tunnelId}`);
    return { ok: true, jobId };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.userMessage };
    throw e;
  }
}
