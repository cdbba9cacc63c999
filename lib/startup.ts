// What the server does once when it starts (called from instrumentation.ts, Node
// runtime only): make sure the master key exists and built-in data is present, print a
// setup code while no admin exists, and start the background job runner.
import "server-only";
import { getEnv } from "@/lib/config/env";
import { verifyMasterKey } from "@/lib/inventory/verify-master-key";
import { bindSshCredentialsToGatewayIds } from "@/lib/inventory/bind-ssh-credentials";
import { ensureBuiltInProfiles } from "@/lib/db/crypto-profiles";
import { needsSetup } from "@/lib/inventory/accounts";
import { announceSetupCode } from "@/lib/inventory/setup-code";
import { logger } from "@/lib/log/logger";
import { getJobRunner } from "@/lib/jobs/runtime";
import { startHealthPoller } from "@/lib/health/poller";

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
  // Marks jobs a previous process left running as interrupted, then takes new work.
  await getJobRunner().start();
  startHealthPoller();
  logger.info({ keyId: keyring.currentId, publicUrl: web.origin }, "gatewarden started");
}
