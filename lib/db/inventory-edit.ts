// Updates and deletes for the inventory (reads for validation happen in the same
// transaction as the write).
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

export async function getGatewaySshRow(id: string) {
  return getDb().gateway.findUnique({
    where: { id },
    select: {
      name: true,
      sshHost: true,
      sshPort: true,
      sshUser: true,
      sshAuthType: true,
      sshSecretEnc: true,
      sshCredentialId: true,
      sshCredential: { select: { name: true } },
    },
  });
}

/** Every gateway's own stored secret, for turning one key into a named credential (lib/credentials). */
export async function listGatewayKeysForConversion(tx: Tx) {
  return tx.gateway.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, sshAuthType: true, sshSecretEnc: true } });
}

export async function updateGatewaySsh(
  tx: Tx,
  id: string,
  data: { sshHost: string; sshPort: number; sshUser: string; sshAuthType: string; sshSecretEnc: string; sshCredentialId: string | null },
) {
  await tx.gateway.update({ where: { id }, data: { ...data, reachability: "unknown", reachabilityReason: null } });
}

/** What a probe target is checked against: the site's subnets and its gateway's LAN address. */
export async function getSiteForProbeTarget(tx: Tx, id: string) {
  return tx.site.findUnique({
    where: { id },
    select: { name: true, probeTarget: true, subnets: { select: { cidr: true } }, gateway: { select: { lanAddress: true } } },
  });
}

export async function updateSiteProbeTarget(tx: Tx, id: string, probeTarget: string | null) {
  await tx.site.update({ where: { id }, data: { probeTarget } });
}

export async function getTunnelForDelete(tx: Tx, id: string) {
  return tx.tunnel.findUnique({ where: { id }, select: { deployState: true, ends: { select: { gateway: { select: { name: true } } } } } });
}

export async function deleteTunnelRow(tx: Tx, id: string) {
  await tx.tunnel.delete({ where: { id } });
}

export async function getSiteForDelete(tx: Tx, id: string) {
  return tx.site.findUnique({
    where: { id },
    select: { name: true, gateway: { select: { name: true, _count: { select: { tunnelEnds: true } } } } },
  });
}

export async function deleteSiteRow(tx: Tx, id: string) {
  await tx.site.delete({ where: { id } });
}
