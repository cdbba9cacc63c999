// Every kind of background job Gatewarden runs.
import "server-only";
import { z } from "zod";
import { getTunnelGatewayIds } from "@/lib/db/gateways";
import { deployTunnel, type DeployParams } from "@/lib/deploy/deploy-tunnel";
import { teardownTunnel } from "@/lib/deploy/teardown-tunnel";
import { connectGatewayForJob } from "@/lib/deploy/connect";
import type { JobDefinition } from "@/lib/jobs/types";

const tunnelParams = z.object({ tunnelId: z.string().min(1), dryRun: z.boolean().optional() });

export const deployJob: JobDefinition<DeployParams> = {
  kind: "deploy",
  schema: tunnelParams,
  gateways: ({ tunnelId }) => getTunnelGatewayIds(tunnelId),
  handler: (ctx) => deployTunnel(ctx, connectGatewayForJob),
};

/** Deploy's first steps only: connect, read, and show the diff; writes nothing. */
export const planJob: JobDefinition<DeployParams> = {
  kind: "plan",
  schema: tunnelParams,
  gateways: ({ tunnelId }) => getTunnelGatewayIds(tunnelId),
  handler: (ctx) => deployTunnel({ ...ctx, params: { ...ctx.params, dryRun: true } }, connectGatewayForJob),
};

export const teardownJob: JobDefinition<DeployParams> = {
  kind: "teardown",
  schema: tunnelParams,
  gateways: ({ tunnelId }) => getTunnelGatewayIds(tunnelId),
  handler: (ctx) => teardownTunnel(ctx, connectGatewayForJob),
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jobDefinitions(): JobDefinition<any>[] {
  return [deployJob, planJob, teardownJob];
}
