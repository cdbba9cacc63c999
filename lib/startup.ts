// What the server does once when it starts (called from instrumentation.ts, Node
// runtime only): make sure the master key exists and built-in data is present, and
// start the background job runner.
import "server-only";
import { verifyMasterKey } from "@/lib/config/keyring";
import { bindSshCredentialsToGatewayIds } from "@/lib/inventory/bind-ssh-credentials";
import { ensureBuiltInProfiles } from "@/lib/db/crypto-profiles";
import { logger } from "@/lib/log/logger";
import { getJobRunner } from "@/lib/jobs/runtime";
import { startHealthPoller } from "@/lib/health/poller";

export async function onServerStart(): Promise<void> {
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
  // Marks jobs a previous process left running as interrupted, then takes new work.
  await getJobRunner().start();
  startHealthPoller();
  logger.info({ keyId: keyring.currentId }, "gatewarden started");
}
