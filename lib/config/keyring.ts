// The process-wide master keyring for secrets at rest (from GATEWARDEN_SECRET_KEY or
// the 0600 key file in the data directory).
import "server-only";
import { getEnv } from "@/lib/config/env";
import { sampleStoredEnvelopes, type StoredEnvelope } from "@/lib/db/secret-envelopes";
import { decryptSecret } from "@/lib/secrets/envelope";
import { SecretError } from "@/lib/secrets/errors";
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

/** The AADs an envelope may be sealed with: its own, and for SSH credentials written before they were bound to the gateway's id, the name-bound one. */
const purposesOf = (s: StoredEnvelope) =>
  s.kind === "psk" ? [secretPurpose.psk(s.tunnelId, s.version)] : [secretPurpose.sshCredential(s.id), secretPurpose.legacySshCredential(s.gatewayName)];

function opens(s: StoredEnvelope, ring: Keyring): boolean {
  return purposesOf(s).some((aad) => {
    try {
      decryptSecret(s.envelope, ring, aad);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The start-up check: whenever encrypted secrets are stored, the master key must be
 * there, private and the one they were sealed with — otherwise refuse to start, with
 * what to do. Only an install that stores no secret yet gets a fresh key.
 */
export async function verifyMasterKey(): Promise<Keyring> {
  const { total, sample } = await sampleStoredEnvelopes();
  if (total === 0) return getKeyring();
  const where = process.env.GATEWARDEN_SECRET_KEY?.trim() ? "GATEWARDEN_SECRET_KEY" : `${getEnv().keyDir}/secret.key`;
  let ring: Keyring;
  try {
    ring = loadKeyring({ env: process.env, dataDir: getEnv().keyDir, create: false });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new SecretError("key-file", `${total} encrypted secret(s) are stored, but the master key cannot be used: ${why}. Refusing to start: a new key would leave every stored secret unreadable.`);
  }
  if (!sample.every((s) => opens(s, ring))) {
    throw new SecretError("bad-key", `The master key in ${where} does not decrypt the stored secrets (a wrong or replaced key?). Refusing to start; restore the key they were sealed with.`);
  }
  globalForKeys.gatewardenKeyring = { ring, version: process.env.GATEWARDEN_SECRET_KEY?.trim() ? "environment" : keyFileVersion(getEnv().keyDir) };
  return ring;
}

/** AAD labels bind each ciphertext to the row it belongs to. */
export const secretPurpose = {
  psk: (tunnelId: string, version: number) => `psk:${tunnelId}:${version}`,
  /** Bound to the gateway's immutable id: renaming a gateway cannot detach its credential. */
  sshCredential: (gatewayId: string) => `ssh-gw:${gatewayId}`,
  /** What SSH credentials were bound to before: the gateway's (editable) name. Read only to upgrade them. */
  legacySshCredential: (gatewayName: string) => `ssh:${gatewayName}`,
};
