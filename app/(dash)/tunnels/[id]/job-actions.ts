"use server";
// Deploy, dry run and teardown of one tunnel: one action each, so the kind of job is
// the server's choice, never a value the browser sends.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, idArg } from "@/lib/actions/action-client";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { startTunnelJob, type TunnelJobKind } from "@/lib/inventory/tunnel-jobs";

function tunnelJobAction(kind: TunnelJobKind, name: string, what: string) {
  return authenticatedAction({
    name,
    can: canOperateTunnels,
    what,
    args: z.tuple([idArg]),
    run: async ({ actor }, [tunnelId]) => {
      const jobId = await startTunnelJob(actor, tunnelId, kind);
      revalidatePath(`/tunnels/${tunnelId}`);
      return { ok: true as const, jobId };
    },
  });
}

export const deployTunnelAction = tunnelJobAction("deploy", "deployTunnel", "deploy tunnels");
export const dryRunTunnelAction = tunnelJobAction("plan", "dryRunTunnel", "deploy tunnels");
export const teardownTunnelAction = tunnelJobAction("teardown", "teardownTunnel", "tear tunnels down");
