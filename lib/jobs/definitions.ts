// Every kind of background job Gatewarden runs.
import "server-only";
import { z } from "zod";
import { getTunnelGatewayIds } from "@/lib/db/gateways";
import { deployTunnels, tunnelIdsOf, type DeployParams } from "@/lib/deploy/deploy-tunnels";
import { teardownTunnel } from "@/lib/deploy/teardown-tunnel";
import { connectGateway, connectGatewayForJob } from "@/lib/deploy/connect";
import { cleanUpGateway, cleanupParams, type CleanupParams } from "@/lib/deploy/clean-up-gateway";
import type { JobDefinition } from "@/lib/jobs/types";
import { rotateCredential, type RotateCredentialParams } from "@/lib/credentials/rotate-credential";
import { getCredentialGatewayIds } from "@/lib/db/ssh-credentials";
import { repairJob, rotateJob, rotateRecoverJob } from "@/lib/rotation/rotation-jobs";

const tunnelParams = z.object({ tunnelId: z.string().min(1) });
/** One tunnel, or many (a fleet deploy visits each gateway once). */
const tunnelsParams = z
  .object({
    tunnelId: z.string().min(1).optional(),
    tunnelIds: z.array(z.string().min(1)).max(10_000).optional(),
    dryRun: z.boolean().optional(),
  })
  .refine((p) => tunnelIdsOf(p).length > 0, { message: "name at least one tunnel" });

async function gatewaysOf(p: DeployParams): Promise<string[]> {
  const ids = await Promise.all(tunnelIdsOf(p).map((id) => getTunnelGatewayIds(id)));
  return [...new Set(ids.flat())];
}

// Deploy is idempotent: every run re-renders the files from the rows, uploads them and
// re-applies, so a deploy cut short by a dead instance is simply run again.
export const deployJob: JobDefinition<DeployParams> = {
  kind: "deploy",
  schema: tunnelsParams,
  gateways: gatewaysOf,
  handler: (ctx) => deployTunnels(ctx, connectGatewayForJob),
  requeueWhenInterrupted: true,
};

/** Deploy's first steps only: connect, read, and show the diff; writes nothing. */
export const planJob: JobDefinition<DeployParams> = {
  kind: "plan",
  schema: tunnelsParams,
  gateways: gatewaysOf,
  handler: (ctx) => deployTunnels({ ...ctx, params: { ...ctx.params, dryRun: true } }, connectGatewayForJob),
  requeueWhenInterrupted: true, // writes nothing
};

export const teardownJob: JobDefinition<{ tunnelId: string }> = {
  kind: "teardown",
  schema: tunnelParams,
  gateways: ({ tunnelId }) => getTunnelGatewayIds(tunnelId),
  handler: (ctx) => teardownTunnel(ctx, connectGatewayForJob),
  // Idempotent too: stopping allows failure, removing a missing file is fine, the shared
  // files are rewritten from the rows and the daemon reloaded.
  requeueWhenInterrupted: true,
};

/** Queued by a deploy that lost the SSH connection to a router mid-way: undoes it there once the router answers. */
export const cleanupJob: JobDefinition<CleanupParams> = {
  kind: "cleanup",
  schema: cleanupParams,
  gateways: async ({ gatewayId }) => [gatewayId],
  handler: (ctx) => cleanUpGateway(ctx, connectGateway),
  // Idempotent: stopping allows failure, removing a missing file is fine, restoring writes the same content.
  requeueWhenInterrupted: true,
};

/**
 * Rotating a named SSH credential on every gateway that signs in with it (lib/credentials).
 * Not requeued when interrupted: the next key stays stored, and Rotate again continues with it.
 */
export const rotateCredentialJob: JobDefinition<RotateCredentialParams> = {
  kind: "rotate-credential",
  schema: z.object({ credentialId: z.string().min(1) }),
  gateways: ({ credentialId }) => getCredentialGatewayIds(credentialId),
  handler: (ctx) => rotateCredential(ctx, connectGatewayForJob),
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jobDefinitions(): JobDefinition<any>[] {
  return [deployJob, planJob, teardownJob, rotateJob, rotateRecoverJob, cleanupJob, repairJob, rotateCredentialJob];
}
