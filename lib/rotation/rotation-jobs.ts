// Job definitions for PSK rotation (registered in lib/jobs/definitions.ts). A rotate
// job locks every gateway its tunnels touch; if the app stops while one runs, the
// restarted app queues a rotate-recover job for the same tunnels.
import "server-only";
import { z } from "zod";
import { insertJob } from "@/lib/db/jobs";
import { getGatewayIdsOfTunnels } from "@/lib/db/rotation";
import { connectGatewayForJob } from "@/lib/deploy/connect";
import type { JobDefinition } from "@/lib/jobs/types";
import { rotatePsks, type RotateParams } from "@/lib/rotation/rotate-psks";
import { recoverRotations, type RecoverParams } from "@/lib/rotation/recover-rotations";
import { repairTunnel, type RepairParams } from "@/lib/rotation/repair-tunnel";
import { getTunnelGatewayIds } from "@/lib/db/gateways";

const tunnelIds = z.array(z.string().min(1)).min(1).max(10_000);

export const rotateJob: JobDefinition<RotateParams> = {
  kind: "rotate",
  schema: z.object({ tunnelIds }),
  gateways: ({ tunnelIds }) => getGatewayIdsOfTunnels(tunnelIds),
  handler: (ctx) => rotatePsks(ctx, connectGatewayForJob),
  async onInterrupted(job) {
    await insertJob({
      kind: "rotate-recover",
      targetType: "job",
      targetId: job.id,
      params: { tunnelIds: job.params.tunnelIds, interruptedJobId: job.id },
      createdById: null,
      createdByName: "system (restart)",
    });
  },
};

export const rotateRecoverJob: JobDefinition<RecoverParams> = {
  kind: "rotate-recover",
  schema: z.object({
    tunnelIds,
    interruptedJobId: z.string().optional(),
    /** Which attempt at settling a stuck rotation (scheduleRecovery); absent after a restart. */
    attempt: z.number().int().min(1).max(100).optional(),
    notBefore: z.string().datetime().optional(),
  }),
  gateways: ({ tunnelIds }) => getGatewayIdsOfTunnels(tunnelIds),
  notBefore: (p) => (p.notBefore ? new Date(p.notBefore) : null),
  handler: (ctx) => recoverRotations(ctx, connectGatewayForJob),
  // A recovery cut short is simply run again: its decisions are read from the rows anew.
  async onInterrupted(job) {
    await insertJob({
      kind: "rotate-recover",
      targetType: "job",
      targetId: job.targetId,
      params: job.params,
      createdById: null,
      createdByName: "system (restart)",
    });
  },
};

/** Repair: the active key on both ends again, verified (idempotent: safe to repeat after a restart). */
export const repairJob: JobDefinition<RepairParams> = {
  kind: "repair",
  schema: z.object({ tunnelId: z.string().min(1) }),
  gateways: ({ tunnelId }) => getTunnelGatewayIds(tunnelId),
  handler: (ctx) => repairTunnel(ctx, connectGatewayForJob),
  requeueWhenInterrupted: true,
};
