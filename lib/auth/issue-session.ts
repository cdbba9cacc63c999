// Issuing a browser session: a random token for the cookie, its SHA-256 as the row's
// id, so a stolen database holds no usable token. session.ts sets the cookie; the
// e2e sign-in fixture hands the same token to the browser it drives. Signing in
// replaces the browser's previous session (rotation): a token planted or copied before
// the sign-in is worth nothing after it.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { getEnv } from "@/lib/config/env";
import { runInTransaction } from "@/lib/db/client";
import { createSession, deleteSession } from "@/lib/db/sessions";

export const SESSION_COOKIE = "gw_session";

export const hashSessionToken = (token: string) => createHash("sha256").update(token).digest("hex");

export type SessionOrigin = { clientAddress?: string; userAgent?: string };

/** A new session for `userId`; the session of `replacing` (the browser's old token), if any, ends. */
export async function issueSession(
  userId: string,
  origin: SessionOrigin = {},
  replacing?: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + getEnv().sessionTtlHours * 3_600_000);
  const userAgent = origin.userAgent?.slice(0, 300);
  await runInTransaction(async (tx) => {
    if (replacing) await deleteSession(hashSessionToken(replacing), tx);
    await createSession({ id: hashSessionToken(token), userId, expiresAt, clientAddress: origin.clientAddress, userAgent }, tx);
  });
  return { token, expiresAt };
}

/** The idle timeout in milliseconds. */
export const sessionIdleMs = () => getEnv().sessionIdleMinutes * 60_000;
