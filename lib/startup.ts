// What the server does once when it starts (called from instrumentation.ts, Node
// runtime only): make sure the master key exists and built-in data is present, print a
// setup code while no admin exists, and start the background job runner. And what it
// does when asked to stop (SIGTERM or SIGINT; scripts/serve.mjs calls onServerStop):
// drain the job queue for at most GATEWARDEN_DRAIN_SECONDS.
import "server-only";
import { getEnv } from "@/lib/config/env";
import { verifyMasterKey } from "@/lib/inventory/verify-master-key";
import { bindSshCredentialsToGatewayIds } from "@/lib/inventory/bind-ssh-credentials";
import { ensureBuiltInProfiles } from "@/lib/db/crypto-profiles";
import { needsSetup } from "@/lib/inventory/accounts";
import { announceSetupCode } from "@/lib/inventory/setup-code";
import { logger } from "@/lib/log/logger";
import { drainJobQueue, getJobRunner } from "@/lib/jobs/runtime";
import { waitAtMost } from "@/lib/jobs/concurrency";
import { getHealthPoller, startHealthPoller } from "@/lib/health/poller";

export async function onServerStart(): Promise<void> {
  // First, so a bad setting (e.g. GATEWARDEN_TRUSTED_PROXIES) stops the start with its message;
  // and without a public URL every request would be refused (proxy.ts): say why, once, here.
  const { web } = getEnv();
  if (!web.ok) throw new Error(`Gatewarden cannot serve: ${web.problem}`);
  let keyring;
  try {
    keyring = await verifyMasterKey();
  } catch (e) {
    // Serving without a usable master key means a 500 on every secret, or new secrets
    // under a key the old ones do not share: stop here, saying why.
    const message = e instanceof Error ? e.message : String(e);
    logger.fatal({ err: message }, "master key check failed");
    console.error(`gatewarden: ${message}`);
    process.exit(1);
  }
  const rebound = await bindSshCredentialsToGatewayIds(keyring);
  if (rebound) logger.info({ rebound }, "SSH credentials bound to their gateway's id");
  await ensureBuiltInProfiles();
  if (await needsSetup()) await announceSetupCode();
  // Marks jobs a previous process left running as interrupted and recovers them (a deploy
  // or teardown is queued again, a rotation gets its recovery job), then takes new work.
  await getJobRunner().start();
  startHealthPoller();
  (globalThis as Record<symbol, unknown>)[Symbol.for("gatewarden.onServerStop")] = onServerStop;
  logger.info({ keyId: keyring.currentId, publicUrl: web.origin }, "gatewarden started");
}

let stopping: Promise<void> | undefined;

/**
 * A graceful stop: take no new jobs and no health rounds, let running jobs finish for at
 * most GATEWARDEN_DRAIN_SECONDS (a job still running then is resumed by the next start).
 * The HTTP server has stopped listening before (scripts/serve.mjs). Called once; later calls share it.
 */
export function onServerStop(signal: string): Promise<void> {
  stopping ??= (async () => {
    const { drainSeconds } = getEnv();
    logger.info({ signal, drainSeconds }, "gatewarden stopping");
    const health = getHealthPoller()
      .stop()
      .catch((e) => logger.warn({ err: e }, "health poller did not stop cleanly"));
    await Promise.all([drainJobQueue(drainSeconds * 1000), waitAtMost(health, drainSeconds * 1000)]);
    logger.info("gatewarden stopped");
  })();
  return stopping;
}
