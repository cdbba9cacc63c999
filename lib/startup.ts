// What the server does once when it starts (called from instrumentation.ts, Node
// runtime only): make sure the master key exists and built-in data is present, print a
// setup code while no admin exists, and start the background job runner.
import "server-only";
import { getEnv } from "@/lib/config/env";
import { getKeyring } from "@/lib/config/keyring";
import { ensureBuiltInProfiles } from "@/lib/db/crypto-profiles";
import { needsSetup } from "@/lib/inventory/accounts";
import { announceSetupCode } from "@/lib/inventory/setup-code";
import { logger } from "@/lib/log/logger";
import { getJobRunner } from "@/lib/jobs/runtime";
import { startHealthPoller } from "@/lib/health/poller";

export async function onServerStart(): Promise<void> {
  // First, so a bad setting (e.g. GATEWARDEN_TRUSTED_PROXIES) stops the start with its message.
  getEnv();
  const keyring = getKeyring();
  await ensureBuiltInProfiles();
  if (await needsSetup()) await announceSetupCode();
  // Marks jobs a previous process left running as interrupted, then takes new work.
  await getJobRunner().start();
  startHealthPoller();
  logger.info({ keyId: keyring.currentId }, "gatewarden started");
}
