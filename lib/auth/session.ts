// Browser sessions: a random token in an httpOnly cookie, its SHA-256 in the database.
// requireUser/requireRole are what every page, action and route calls first.
import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getEnv } from "@/lib/config/env";
import { deleteSession, findSessionUser, type UserRecord } from "@/lib/db/users";
import { hashSessionToken, issueSession, SESSION_COOKIE } from "@/lib/auth/issue-session";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import type { Role } from "@/lib/auth/permissions";
import { getRequestClient } from "@/lib/auth/request-client";

async function cookieIsSecure(): Promise<boolean> {
  const setting = getEnv().secureCookies;
  if (setting !== "auto") return setting === "true";
  // Only a trusted proxy's word counts: the app itself serves plain HTTP.
  return (await getRequestClient()).forwardedProto === "https";
}

export async function startSession(userId: string): Promise<void> {
  const { token, expiresAt } = await issueSession(userId);
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await cookieIsSecure(),
    path: "/",
    expires: expiresAt,
  });
}

export async function endSession(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await deleteSession(hashSessionToken(token));
  jar.delete(SESSION_COOKIE);
}

/** The signed-in user of this request, or null. Cached for the request. */
export const getCurrentUser = cache(async (): Promise<UserRecord | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token || token.length > 100) return null;
  return findSessionUser(hashSessionToken(token), new Date());
});

/** For pages: send anonymous visitors to the sign-in page. */
export async function requirePageUser(): Promise<UserRecord> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  return user;
}

/** For actions and routes: throw a typed error that becomes a message. */
export async function requireUser(): Promise<UserRecord> {
  const user = await getCurrentUser();
  if (!user) throw new UnauthenticatedError();
  return user;
}

export async function requirePermission(can: (role: Role) => boolean, what: string): Promise<UserRecord> {
  const user = await requireUser();
  if (!can(user.role)) throw new ForbiddenError(what);
  return user;
}
