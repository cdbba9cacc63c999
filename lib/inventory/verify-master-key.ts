// The start-up check of the master key against what the database stores: whenever
// encrypted secrets exist, the key must be there, private and the one they were sealed
// with, or the server refuses to start. Only an install that stores no secret yet gets a
// fresh key. (Database I/O, so it lives here and not in lib/config.)
import "server-only";
import { getEnv } from "@/lib/config/env";
import { adoptKeyring, getKeyring, secretPurpose } from "@/lib/config/keyring";
import { sampleStoredEnvelopes, type StoredEnvelope } from "@/lib/db/secret-envelopes";
import { decryptSecret } from "@/lib/secrets/envelope";
import { SecretError } from "@/lib/secrets/errors";
import { loadKeyring, type Keyring } from "@/lib/secrets/keyring";

/** The AADs an envelope may be sealed with: its own, and for SSH credentials written before they were bound to the gateway's id, the name-bound one. */
const purposesOf = (s: StoredEnvelope) =>
  s.kind === "psk"
    ? [secretPurpose.psk(s.tunnelId, s.version)]
    : s.kind === "alert-channel"
      ? [secretPurpose.alertChannel(s.id)]
      : s.kind === "named-ssh-credential"
        ? [secretPurpose.namedSshCredential(s.id, s.version)]
        : [secretPurpose.sshCredential(s.id), secretPurpose.legacySshCredential(s.gatewayName)];

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
    throw new SecretError(
      "key-file",
      `${total} encrypted secret(s) are stored, but the master key cannot be used: ${why}. Refusing to start: a new key would leave every stored secret unreadable.`,
    );
  }
  if (!sample.every((s) => opens(s, ring))) {
    throw new SecretError(
      "bad-key",
      `The master key in ${where} does not decrypt the stored secrets (a wrong or replaced key?). Refusing to start; restore the key they were sealed with.`,
    );
  }
  adoptKeyring(ring);
  return ring;
}
