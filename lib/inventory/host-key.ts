// First contact with a gateway: learn the SSH host key it offers (without
// authenticating) and let an admin pin it. Only a fingerprint that Gatewarden itself
// saw can be accepted, so a typo or a pasted value cannot pin a wrong key.
import "server-only";
import { probeHostKey } from "@/lib/ssh/session";
import { isSshError } from "@/lib/ssh/errors";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { getGatewayForConnection, getHostKeyState, pinHostKey, recordOfferedHostKey, setGatewayReachability } from "@/lib/db/gateways";
import { AppError } from "@/lib/errors";

export async function checkHostKey(gatewayId: string): Promise<{ offered: string; pinned: string | null }> {
  const gw = await getGatewayForConnection(gatewayId);
  if (!gw) throw new AppError("not_found", "This gateway no longer exists.");
  try {
    const offered = await probeHostKey({ host: gw.sshHost, port: gw.sshPort, timeoutMs: 8_000 });
    if (offered !== gw.hostKeyFingerprint) await recordOfferedHostKey(gw.id, offered);
    return { offered, pinned: gw.hostKeyFingerprint };
  } catch (e) {
    if (isSshError(e)) {
      await setGatewayReachability(gw.id, "unreachable", e.userMessage);
      throw new AppError(e.code, e.userMessage);
    }
    throw e;
  }
}

export async function acceptHostKey(actor: AuditActor, gatewayId: string, fingerprint: string): Promise<void> {
  await runInTransaction(async (tx) => {
    const gw = await getHostKeyState(tx, gatewayId);
    if (!gw) throw new AppError("not_found", "This gateway no longer exists.");
    if (!gw.hostKeySeen || gw.hostKeySeen !== fingerprint) {
      throw new AppError("stale", "That key is not the one the gateway offered last. Check the host key again.");
    }
    await pinHostKey(tx, gatewayId, fingerprint);
    await recordAudit(tx, actor, {
      action: "gateway.host-key.accept",
      targetType: "gateway",
      targetId: gatewayId,
      summary: `Pinned ${gw.name}'s SSH host key ${fingerprint}`,
      before: { hostKeyFingerprint: gw.hostKeyFingerprint },
      after: { hostKeyFingerprint: fingerprint },
    });
  });
}
