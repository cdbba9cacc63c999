// Gateway rows for the SSH side: the encrypted credential (only for lib/deploy and
// lib/health, which decrypt it in memory), reachability, and host-key pinning.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

export async function getGatewayForConnection(id: string) {
  return getDb().gateway.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      platform: true,
      sshHost: true,
      sshPort: true,
      sshUser: true,
      sshAuthType: true,
      sshSecretEnc: true,
      // A named credential's current key (lib/credentials), used instead of sshSecretEnc.
      sshCredential: { select: { id: true, keyVersion: true, privateKeyEnc: true } },
      hostKeyFingerprint: true,
    },
  });
}

export type GatewayConnectionRow = NonNullable<Awaited<ReturnType<typeof getGatewayForConnection>>>;

export async function setGatewayReachability(id: string, reachability: string, reason: string | null) {
  const at = new Date();
  await getDb().gateway.update({
    where: { id },
    data: { reachability, reachabilityReason: reason, reachabilityAt: at, ...(reachability === "ok" ? { lastContactAt: at } : {}) },
  });
}

/** The key a gateway offered that is not (or no longer) the pinned one. */
export async function recordOfferedHostKey(id: string, fingerprint: string) {
  await getDb().gateway.update({ where: { id }, data: { hostKeySeen: fingerprint, hostKeySeenAt: new Date() } });
}

export async function pinHostKey(tx: Tx, id: string, fingerprint: string) {
  return tx.gateway.update({
    where: { id },
    // A new pin starts a new history: earlier "host key changed" states no longer apply.
    data: { hostKeyFingerprint: fingerprint, hostKeySeen: null, hostKeySeenAt: null, reachability: "unknown", reachabilityReason: null },
    select: { name: true },
  });
}

export async function getHostKeyState(tx: Tx, id: string) {
  return tx.gateway.findUnique({ where: { id }, select: { name: true, hostKeySeen: true, hostKeyFingerprint: true } });
}

export async function getTunnelGatewayIds(tunnelId: string): Promise<string[]> {
  const ends = await getDb().tunnelEnd.findMany({ where: { tunnelId }, select: { gatewayId: true } });
  return ends.map((e) => e.gatewayId);
}

export async function recordTunnelDeployed(
  tx: Tx,
  tunnelId: string,
  ends: { role: string; hash: string; pskVersion: number; connectionName: string }[],
) {
  const now = new Date();
  await tx.tunnel.update({ where: { id: tunnelId }, data: { deployState: "deployed", deployedAt: now } });
  for (const e of ends) {
    await tx.tunnelEnd.update({
      where: { tunnelId_role: { tunnelId, role: e.role } },
      data: { deployedHash: e.hash, deployedAt: now, appliedPskVersion: e.pskVersion, connectionName: e.connectionName },
    });
  }
}

export async function setTunnelDeployState(tunnelId: string, deployState: string) {
  await getDb().tunnel.update({ where: { id: tunnelId }, data: { deployState } });
}

export async function getTunnelDeployState(tunnelId: string) {
  return getDb().tunnel.findUnique({ where: { id: tunnelId }, select: { deployState: true } });
}

export async function recordTunnelTornDown(tx: Tx, tunnelId: string, ok: boolean) {
  // Torn down, the tunnel is no longer watched: its last health state ("up") must not linger.
  const health = ok ? { healthState: "unknown", healthReason: "Torn down: not deployed on the routers.", healthAt: new Date() } : {};
  await tx.tunnel.update({ where: { id: tunnelId }, data: { deployState: ok ? "torn-down" : "failed", ...health } });
  if (ok)
    await tx.tunnelEnd.updateMany({ where: { tunnelId }, data: { deployedHash: null, appliedPskVersion: null, connectionName: null } });
}
