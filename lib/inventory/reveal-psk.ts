// Shows a tunnel's active PSK to an admin who asked for it. The only path by which a
// PSK leaves the server, and every use is written to the audit log.
import "server-only";
import { decryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { recordAuditEvent, type AuditActor } from "@/lib/db/audit";
import { getActivePskEnvelope } from "@/lib/db/inventory";
import { AppError } from "@/lib/errors";

export async function revealPsk(actor: AuditActor, tunnelId: string): Promise<{ psk: string; version: number }> {
  const key = await getActivePskEnvelope(tunnelId);
  if (!key) throw new AppError("not_found", "This tunnel has no active pre-shared key.");
  const psk = decryptSecret(key.secretEnc, getKeyring(), secretPurpose.psk(tunnelId, key.version));
  await recordAuditEvent(actor, {
    action: "psk.reveal",
    targetType: "tunnel",
    targetId: tunnelId,
    summary: `Revealed PSK version ${key.version}`,
  });
  return { psk, version: key.version };
}
