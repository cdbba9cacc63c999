// The process-wide master keyring for secrets at rest, loaded once (from
// GATEWARDEN_SECRET_KEY or the 0600 key file in the data directory).
import "server-only";
import { getEnv } from "@/lib/config/env";
import { loadKeyring, type Keyring } from "@/lib/secrets/keyring";

const globalForKeys = globalThis as unknown as { gatewardenKeyring?: Keyring };

export function getKeyring(): Keyring {
  globalForKeys.gatewardenKeyring ??= loadKeyring({ env: process.env, dataDir: getEnv().dataDir });
  return globalForKeys.gatewardenKeyring;
}

/** AAD labels bind each ciphertext to the row it belongs to. */
export const secretPurpose = {
  psk: (tunnelId: string, version: number) => `psk:${tunnelId}:${version}`,
  sshCredential: (gatewayName: string) => `ssh:${gatewayName}`,
};
