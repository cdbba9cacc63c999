// `npm run keys:rotate`: a new master key, every stored secret re-encrypted with it in
// one database transaction, the old key retired (lib/secrets/keyring.ts rotateMasterKey
// says what that means and how a failure leaves everything as it was). With the key in
// GATEWARDEN_SECRET_KEY the operator swaps keys there; this then re-encrypts.
import "server-only";
import path from "node:path";
import { getEnv } from "@/lib/config/env";
import { secretPurpose } from "@/lib/config/keyring";
import { runInTransaction } from "@/lib/db/client";
import { listStoredEnvelopes, replaceStoredEnvelope, type StoredEnvelope } from "@/lib/db/secret-envelopes";
import { decryptSecret, encryptSecret, needsReencryption } from "@/lib/secrets/envelope";
import { SecretError } from "@/lib/secrets/errors";
import { KEY_FILE_NAME, loadKeyring, rotateMasterKey, type Keyring } from "@/lib/secrets/keyring";

export type ReencryptCounts = { sshCredentials: number; psks: number; alertChannelSecrets: number; alreadyCurrent: number };

export type MasterKeyRotation =
  | { source: "key-file"; file: string; newKeyId: string; retiredKeyId: string; counts: ReencryptCounts }
  | { source: "environment"; keyId: string; counts: ReencryptCounts };

// A rotation rewrites every secret of the fleet in one transaction: more than a form's 15 s.
const TRANSACTION_TIMEOUT_MS = 10 * 60_000;

const aadOf = (s: StoredEnvelope) =>
  s.kind === "psk"
    ? secretPurpose.psk(s.tunnelId, s.version)
    : s.kind === "alert-channel"
      ? secretPurpose.alertChannel(s.id)
      : s.kind === "named-ssh-credential"
        ? secretPurpose.namedSshCredential(s.id, s.version)
        : secretPurpose.sshCredential(s.id);
const describe = (s: StoredEnvelope) =>
  s.kind === "psk"
    ? `PSK version ${s.version} of tunnel ${s.tunnelId}`
    : s.kind === "alert-channel"
      ? `the secret of alert channel ${s.channelName}`
      : s.kind === "named-ssh-credential"
        ? `key version ${s.version} of the SSH credential ${s.credentialName}`
        : `the SSH credential of gateway ${s.gatewayName}`;

/**
 * Re-encrypts with `ring`'s current key, in one transaction, every stored secret that
 * another key sealed. Any secret that does not decrypt aborts it all (nothing written).
 */
export async function reencryptStoredSecrets(ring: Keyring): Promise<ReencryptCounts> {
  return runInTransaction(
    async (tx) => {
      const counts: ReencryptCounts = { sshCredentials: 0, psks: 0, alertChannelSecrets: 0, alreadyCurrent: 0 };
      for (const stored of await listStoredEnvelopes(tx)) {
        let envelope: string;
        try {
          if (!needsReencryption(stored.envelope, ring)) {
            counts.alreadyCurrent++;
            continue;
          }
          envelope = encryptSecret(decryptSecret(stored.envelope, ring, aadOf(stored)), ring, aadOf(stored));
        } catch (e) {
          if (e instanceof SecretError) throw new SecretError(e.code, `${describe(stored)}: ${e.message}`);
          throw e;
        }
        await replaceStoredEnvelope(tx, stored, envelope);
        if (stored.kind === "psk") counts.psks++;
        else if (stored.kind === "alert-channel") counts.alertChannelSecrets++;
        else counts.sshCredentials++;
      }
      return counts;
    },
    { timeoutMs: TRANSACTION_TIMEOUT_MS },
  );
}

export async function rotateMasterKeyAndSecrets(env: Record<string, string | undefined> = process.env): Promise<MasterKeyRotation> {
  if (env.GATEWARDEN_SECRET_KEY?.trim()) {
    const ring = loadKeyring({ env });
    return { source: "environment", keyId: ring.currentId, counts: await reencryptStoredSecrets(ring) };
  }
  const { keyDir } = getEnv();
  const { previous, next, result } = await rotateMasterKey(keyDir, (ring) => reencryptStoredSecrets(ring));
  return {
    source: "key-file",
    file: path.join(keyDir, KEY_FILE_NAME),
    newKeyId: next.currentId,
    retiredKeyId: previous.currentId,
    counts: result,
  };
}
