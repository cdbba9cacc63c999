// Queries for API tokens (ids are cuids; the token itself is stored only as its SHA-256;
// lib/api/tokens.ts issues and checks them).
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

export type ApiTokenInfo = {
  id: string;
  prefix: string;
  name: string;
  scope: string;
  userId: string;
  username: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
};

const INFO = {
  id: true,
  prefix: true,
  name: true,
  scope: true,
  userId: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  revokedBy: true,
  user: { select: { username: true } },
} as const;

type Row = Omit<ApiTokenInfo, "username"> & { user: { username: string } };
const toInfo = ({ user, ...row }: Row): ApiTokenInfo => ({ ...row, username: user.username });

export async function insertApiToken(
  tx: Tx,
  data: { tokenHash: string; prefix: string; name: string; scope: string; userId: string; expiresAt: Date | null },
): Promise<ApiTokenInfo> {
  return toInfo(await tx.apiToken.create({ data, select: INFO }));
}

/** The token with this hash, its user's role and whether the user is disabled; null when none. */
export async function findApiTokenByHash(tokenHash: string) {
  return getDb().apiToken.findUnique({
    where: { tokenHash },
    select: { ...INFO, user: { select: { username: true, role: true, disabled: true } } },
  });
}

export async function touchApiToken(id: string, now: Date) {
  await getDb().apiToken.updateMany({ where: { id }, data: { lastUsedAt: now } });
}

export async function getApiToken(id: string, tx: Tx = getDb()): Promise<ApiTokenInfo | null> {
  const row = await tx.apiToken.findUnique({ where: { id }, select: INFO });
  return row ? toInfo(row) : null;
}

/** One user's tokens, or everyone's (`userId` undefined), newest first. */
export async function listApiTokens(userId?: string): Promise<ApiTokenInfo[]> {
  const rows = await getDb().apiToken.findMany({
    where: userId ? { userId } : {},
    select: INFO,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows.map(toInfo);
}

/** Revokes a token that is not revoked yet; true when this call revoked it. */
export async function markApiTokenRevoked(tx: Tx, id: string, by: string, at: Date): Promise<boolean> {
  const { count } = await tx.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at, revokedBy: by } });
  return count === 1;
}
