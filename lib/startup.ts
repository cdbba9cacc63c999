// What the server does once when it starts (called from instrumentation.ts, Node
// runtime only): make sure the master key exists and built-in data is present.
import "server-only";
import { getKeyring } from "@/lib/config/keyring";
import { ensureBuiltInProfiles } from "@/lib/db/crypto-profiles";
import { logger } from "@/lib/log/logger";

export async function onServerStart(): Promise<void> {
  const keyring = getKeyring();
  await ensureBuiltInProfiles();
  logger.info({ keyId: keyring.currentId }, "gatewarden started");
}
