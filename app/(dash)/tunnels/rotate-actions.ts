"use server";
// Starting PSK rotations: one tunnel, a site's tunnels, or all. Validate → authorize
// (operators and admins) → queue the rotate job → revalidate; the page follows the job.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authenticatedAction, idArg, type ActionContext } from "@/lib/actions/action-client";
import { canOperateTunnels } from "@/lib/auth/permissions";
import { startPskRotation, startRepair, type RotationScope } from "@/lib/rotation/start-rotation";

export type RotateStart = { ok: true; jobId: string; tunnels: number; skipped: string[] } | { ok: false; message: string };

async function start({ actor }: ActionContext, scope: RotationScope, path: string) {
  const r = await startPskRotation(actor, scope);
  revalidatePath(path);
  return { ok: true as const, ...r };
}

const rotation = { can: canOperateTunnels, what: "rotate pre-shared keys" };

export const rotateTunnelPskAction = authenticatedAction({
  ...rotation,
  name: "rotateTunnelPsk",
  args: z.tuple([idArg]),
  run: (ctx, [tunnelId]) => start(ctx, { tunnelId }, `/tunnels/${tunnelId}`),
});

export const rotateSitePsksAction = authenticatedAction({
  ...rotation,
  name: "rotateSitePsks",
  args: z.tuple([idArg]),
  run: (ctx, [siteId]) => start(ctx, { siteId }, `/sites/${siteId}`),
});

export const rotateAllPsksAction = authenticatedAction({
  ...rotation,
  name: "rotateAllPsks",
  args: z.tuple([]),
  run: (ctx) => start(ctx, { all: true }, "/tunnels"),
});

/** Repair: the active key on both ends of one tunnel again, verified (same roles as rotation). */
export const repairTunnelAction = authenticatedAction({
  can: canOperateTunnels,
  what: "repair tunnels",
  name: "repairTunnel",
  args: z.tuple([idArg]),
  run: async (_ctx, [tunnelId]) => {
    const jobId = await startRepair(_ctx.actor, tunnelId);
    revalidatePath(`/tunnels/${tunnelId}`);
    return { ok: true as const, jobId, tunnels: 1, skipped: [] as string[] };
  },
});
