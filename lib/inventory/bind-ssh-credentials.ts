// SSH credentials sealed before they were bound to their gateway's id (their AAD was the
// gateway's editable name) are re-sealed with the id, once, when the server starts: a
// renamed gateway could otherwise no longer open its own credential, and a credential
// could be moved to another gateway that takes the old name.
import "server-only";
import { runInTransaction } from "@/lib/db/client";
import { listStoredEnvelopes, replaceStoredEnvelope } from "@/lib/db/secret-envelopes";
import { secretPurpose } from "@/lib/config/keyring";
import { decryptSecret, encryptSecret } from "@/lib/secrets/envelope";
import type { Keyring } from "@/lib/secrets/keyring";

/** Returns how many credentials were re-sealed. */
export async function bindSshCredentialsToGatewayIds(ring: Keyring): Promise<number> {
  return runInTransaction(async (tx) => {
    let n = 0;
    for (const s of await listStoredEnvelopes(tx)) {
      if (s.kind !== "ssh-credential") continue;
      try {
        decryptSecret(s.envelope, ring, secretPurpose.sshCredential(s.id));
        continue;
      } catch {
        // Not bound to the id yet (or not openable at all: then the next line throws).
      }
      const plain = decryptSecret(s.envelope, ring, secretPurpose.legacySshCredential(s.gatewayName));
      await replaceStoredEnvelope(tx, s, encryptSecret(plain, ring, secretPurpose.sshCredential(s.id)));
      n++;
    }
    return n;
  });
}
