// What the server does once when it starts (called from instrumentation.ts, Node
// runtime only): make sure the master key exists and built-in data is present, and
// start the background job runner.
import "server-only";
import { getEnv } from "@/lib/config/env";
import { getKeyring } from "@/lib/config/keyring";
import { ensureBuiltInProfiles } from "@/lib/db/crypto-profiles";
import { logger } from "@/lib/log/logger";
import { getJobRunner } from "@/lib/jobs/runtime";
import { startHealthPoller } from "@/lib/health/poller";

export async function onServerStart(): Promise<void> {
  // Without a public URL every request would be refused (proxy.ts): say why, once, here.
  const { web } = getEnv();
  if (!web.ok) throw new Error(`Gatewarden cannot serve: ${web.problem}`);
  const keyring = getKeyring();
  await ensureBuiltInProfiles();
  // Marks jobs a previous process left running as interrupted, then takes new work.
  await getJobRunner().start();
  startHealthPoller();
  logger.info({ keyId: keyring.currentId, publicUrl: web.origin }, "gatewarden started");
}
