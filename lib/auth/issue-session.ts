// Issuing a browser session: a random token for the cookie, its SHA-256 as the row's
// id, so a stolen database holds no usable token. session.ts sets the cookie; the
// e2e sign-in fixture hands the same token to the browser it drives.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { getEnv } from "@/lib/config/env";
import { createSession } from "@/lib/db/users";

export const SESSION_COOKIE = "gw_session";

export const hashSessionToken = (token: string) => createHash("sha256").update(token).digest("hex");

export async function issueSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + getEnv().sessionTtlHours * 3_600_000);
  await createSession({ id: hashSessionToken(token), userId, expiresAt });
  return { token, expiresAt };
}
