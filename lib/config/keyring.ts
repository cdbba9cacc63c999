// The process-wide master keyring for secrets at rest (from GATEWARDEN_SECRET_KEY or
// the 0600 key file in the data directory).
import "server-only";
import { getEnv } from "@/lib/config/env";
import { keyFileVersion, loadKeyring, type Keyring } from "@/lib/secrets/keyring";

const globalForKeys = globalThis as unknown as { gatewardenKeyring?: { ring: Keyring; version: string | null } };

/**
 * The keyring, reloaded when `npm run keys:rotate` has replaced the key file, so a
 * running server decrypts what the rotation re-encrypted and encrypts with the new key
 * without a restart. (A ring from GATEWARDEN_SECRET_KEY changes only with a restart.)
 */
export function getKeyring(): Keyring {
  const dataDir = getEnv().dataDir;
  const fromEnv = Boolean(process.env.GATEWARDEN_SECRET_KEY?.trim());
  const version = () => (fromEnv ? "environment" : keyFileVersion(dataDir));
  const cached = globalForKeys.gatewardenKeyring;
  if (cached && cached.version === version()) return cached.ring;
  const ring = loadKeyring({ env: process.env, dataDir });
  globalForKeys.gatewardenKeyring = { ring, version: version() };
  return ring;
}

/** AAD labels bind each ciphertext to the row it belongs to. */
export const secretPurpose = {
  psk: (tunnelId: string, version: number) => `psk:${tunnelId}:${version}`,
  sshCredential: (gatewayName: string) => `ssh:${gatewayName}`,
};
