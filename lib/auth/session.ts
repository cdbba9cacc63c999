// Browser sessions: a random token in an httpOnly cookie, its SHA-256 in the database.
// A session ends at its expiry (GATEWARDEN_SESSION_TTL_HOURS), when unused for the idle
// timeout (GATEWARDEN_SESSION_IDLE_MINUTES), when its user is disabled, or when ended
// from the sessions list. requireUser/requireRole are what every page, action and
// route calls first.
import "server-only";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getEnv } from "@/lib/config/env";
import { deleteSession, findActiveSession, touchSession, type SessionInfo } from "@/lib/db/sessions";
import type { UserRecord } from "@/lib/db/users";
import { hashSessionToken, issueSession, SESSION_COOKIE, sessionIdleMs } from "@/lib/auth/issue-session";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import type { Role } from "@/lib/auth/permissions";
import { getRequestClient } from "@/lib/auth/request-client";

/** lastSeenAt is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

async function cookieIsSecure(): Promise<boolean> {
  const setting = getEnv().secureCookies;
  if (setting !== "auto") return setting === "true";
  // Only a trusted proxy's word counts: the app itself serves plain HTTP.
  return (await getRequestClient()).forwardedProto === "https";
}

/** Signs `userId` in on this browser: a new session replaces the one its cookie held. */
export async function startSession(userId: string): Promise<void> {
  const jar = await cookies();
  const origin = { clientAddress: (await getRequestClient()).address, userAgent: (await headers()).get("user-agent") ?? undefined };
  const { token, expiresAt } = await issueSession(userId, origin, jar.get(SESSION_COOKIE)?.value);
  jar.set(SESSION_COOKIE, token, {
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

async function readSession(touch: boolean): Promise<{ session: SessionInfo; user: UserRecord } | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token || token.length > 100) return null;
  const now = new Date();
  const found = await findActiveSession(hashSessionToken(token), now, sessionIdleMs());
  if (found && touch && now.getTime() - found.session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await touchSession(found.session.id, now);
  return found;
}

/** The signed-in session of this request and its user, or null; counts as activity. Cached for the request. */
export const getCurrentSession = cache(() => readSession(true));

/** The signed-in user of this request, or null. */
export const getCurrentUser = cache(async (): Promise<UserRecord | null> => (await getCurrentSession())?.user ?? null);

/**
 * For what a page polls in the background (job progress, live health): the user, without
 * counting the request as activity, so an open tab does not keep an idle session alive.
 */
export async function getPollingUser(): Promise<UserRecord | null> {
  return (await readSession(false))?.user ?? null;
}

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

/** For actions about the session itself (the sessions list, a password change). */
export async function requireSession(): Promise<{ session: SessionInfo; user: UserRecord }> {
  const current = await getCurrentSession();
  if (!current) throw new UnauthenticatedError();
  return current;
}

export async function requirePermission(can: (role: Role) => boolean, what: string): Promise<UserRecord> {
  const user = await requireUser();
  if (!can(user.role)) throw new ForbiddenError(what);
  return user;
}
