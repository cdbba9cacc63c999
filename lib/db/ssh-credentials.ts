// Named SSH credentials (lib/credentials): the rows, with the encrypted keys only for
// lib/credentials and lib/deploy/connect, which decrypt them in memory.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

const listed = {
  id: true,
  name: true,
  origin: true,
  keyVersion: true,
  publicKey: true,
  fingerprint: true,
  authorizedKeysPath: true,
  nextPublicKey: true,
  createdAt: true,
  rotatedAt: true,
  gateways: { select: { id: true, name: true, sshUser: true }, orderBy: { name: "asc" as const } },
} as const;

/** Without secrets: for pages and the REST API. */
export async function listSshCredentials() {
  return getDb().sshCredential.findMany({ orderBy: { name: "asc" }, select: listed });
}

export type SshCredentialListItem = Awaited<ReturnType<typeof listSshCredentials>>[number];

export async function getSshCredentialPublic(id: string) {
  return getDb().sshCredential.findUnique({ where: { id }, select: listed });
}

/** The choices of the wizard and the gateway form. */
export async function listSshCredentialChoices() {
  return getDb().sshCredential.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, fingerprint: true } });
}

export async function credentialNameTaken(tx: Tx, name: string): Promise<boolean> {
  return (await tx.sshCredential.count({ where: { name } })) > 0;
}

export async function credentialExists(tx: Tx, id: string): Promise<{ name: string } | null> {
  return tx.sshCredential.findUnique({ where: { id }, select: { name: true } });
}

export async function insertSshCredential(
  tx: Tx,
  data: {
    id: string;
    name: string;
    origin: string;
    privateKeyEnc: string;
    publicKey: string;
    fingerprint: string;
    authorizedKeysPath: string;
  },
) {
  await tx.sshCredential.create({ data: { ...data, keyVersion: 1 } });
}

export async function deleteSshCredentialRow(tx: Tx, id: string) {
  const row = await tx.sshCredential.findUnique({ where: { id }, select: { name: true, _count: { select: { gateways: true } } } });
  if (!row) return null;
  if (row._count.gateways === 0) await tx.sshCredential.delete({ where: { id } });
  return row;
}

/** With the encrypted keys: for the rotation job only. */
export async function getSshCredentialForRotation(id: string) {
  return getDb().sshCredential.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      keyVersion: true,
      privateKeyEnc: true,
      publicKey: true,
      fingerprint: true,
      authorizedKeysPath: true,
      nextKeyEnc: true,
      nextPublicKey: true,
      gateways: { select: { id: true, name: true, hostKeyFingerprint: true }, orderBy: { name: "asc" } },
    },
  });
}

export async function getCredentialGatewayIds(id: string): Promise<string[]> {
  const rows = await getDb().gateway.findMany({ where: { sshCredentialId: id }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** The next key of a rotation, kept before any router sees it (a crash cannot lose a key a router holds). */
export async function setNextKey(id: string, keyVersion: number, next: { enc: string; publicKey: string } | null) {
  const { count } = await getDb().sshCredential.updateMany({
    where: { id, keyVersion },
    data: { nextKeyEnc: next?.enc ?? null, nextPublicKey: next?.publicKey ?? null },
  });
  if (count !== 1) throw new Error("the credential changed while it was being rotated");
}

/** The next key becomes the credential's key: only once every gateway accepted it. */
export async function promoteNextKey(tx: Tx, id: string, keyVersion: number, fingerprint: string) {
  const row = await tx.sshCredential.findUnique({ where: { id }, select: { keyVersion: true, nextKeyEnc: true, nextPublicKey: true } });
  if (!row || row.keyVersion !== keyVersion || !row.nextKeyEnc || !row.nextPublicKey) {
    throw new Error("the credential changed while it was being rotated");
  }
  await tx.sshCredential.update({
    where: { id },
    data: {
      keyVersion: keyVersion + 1,
      privateKeyEnc: row.nextKeyEnc,
      publicKey: row.nextPublicKey,
      fingerprint,
      nextKeyEnc: null,
      nextPublicKey: null,
      rotatedAt: new Date(),
    },
  });
}

/** Gateways now signing in with the credential: their own stored secret is no longer used. */
export async function attachGatewaysToCredential(tx: Tx, gatewayIds: string[], credentialId: string) {
  await tx.gateway.updateMany({
    where: { id: { in: gatewayIds } },
    data: { sshCredentialId: credentialId, sshAuthType: "credential", sshSecretEnc: "" },
  });
}

/** Gateways still signing in with a key or password of their own. */
export async function countGatewaysWithOwnKey(): Promise<number> {
  return getDb().gateway.count({ where: { sshCredentialId: null } });
}
