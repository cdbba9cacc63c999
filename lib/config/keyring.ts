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
  const dataDir = getEnv().keyDir;
  const fromEnv = Boolean(process.env.GATEWARDEN_SECRET_KEY?.trim());
  const version = () => (fromEnv ? "environment" : keyFileVersion(dataDir));
  const cached = globalForKeys.gatewardenKeyring;
  if (cached && cached.version === version()) return cached.ring;
  // A key file is created only by the first use in a process that never had one (a fresh
  // install; the server's start-up checks first that no secret is stored). One that
  // vanishes while the process runs is an error, never a reason for a new key.
  const ring = loadKeyring({ env: process.env, dataDir, create: cached === undefined });
  globalForKeys.gatewardenKeyring = { ring, version: version() };
  return ring;
}

/** Makes `ring` this process's keyring (after the start-up check has proven it on stored secrets). */
export function adoptKeyring(ring: Keyring): void {
  globalForKeys.gatewardenKeyring = {
    ring,
    version: process.env.GATEWARDEN_SECRET_KEY?.trim() ? "environment" : keyFileVersion(getEnv().keyDir),
  };
}

/** AAD labels bind each ciphertext to the row it belongs to. */
export const secretPurpose = {
  psk: (tunnelId: string, version: number) => `psk:${tunnelId}:${version}`,
  /** Bound to the gateway's immutable id: renaming a gateway cannot detach its credential. */
  sshCredential: (gatewayId: string) => `ssh-gw:${gatewayId}`,
  /** A named SSH credential's private key, one purpose per key version (the next key of a rotation is version + 1). */
  namedSshCredential: (credentialId: string, version: number) => `ssh-cred:${credentialId}:${version}`,
  /** An alert channel's webhook signing key or SMTP password. */
  alertChannel: (channelId: string) => `alert-channel:${channelId}`,
  /** What SSH credentials were bound to before: the gateway's (editable) name. Read only to upgrade them. */
  legacySshCredential: (gatewayName: string) => `ssh:${gatewayName}`,
};
