// API tokens: bearer tokens for scripts (the REST API under /api/v1) and for Prometheus
// (GET /metrics). A token is `gw_` and 256 random bits (base64url), shown once when it is
// created; the database keeps only its SHA-256, so a copy of the database holds no usable
// token. Its scope is "metrics" (GET /metrics only) or a role for the API: read (viewer),
// operate (operator), admin; never above its creator's role, and checked against the
// user's current role on every call, so demoting or disabling a user demotes or stops
// their tokens at once. Creating and revoking are audited; the last use is recorded.
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { findApiTokenByHash, getApiToken, insertApiToken, listApiTokens, markApiTokenRevoked, touchApiToken } from "@/lib/db/api-tokens";
import type { ApiTokenInfo } from "@/lib/db/api-tokens";
import { getUserById, type UserRecord } from "@/lib/db/users";
import { isRole, type Role } from "@/lib/auth/permissions";
import { AppError, ForbiddenError, ValidationError } from "@/lib/errors";

export type { ApiTokenInfo } from "@/lib/db/api-tokens";

export const TOKEN_SCOPES = ["metrics", "read", "operate", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What an endpoint asks of a token: GET /metrics asks "metrics", everything under /api/v1 asks "api". */
export type RequiredScope = "metrics" | "api";

export const TOKEN_PREFIX = "gw_";
/** `gw_` and 32 random bytes in base64url (43 characters). */
const TOKEN_PATTERN = /^gw_[A-Za-z0-9_-]{43}$/;
/** How many characters of a token the list shows (gw_ and 8), enough to tell tokens apart. */
const SHOWN_PREFIX = 11;
/** lastUsedAt is written at most this often, not on every request. */
const TOUCH_EVERY_MS = 60_000;

const SCOPE_ROLE: Record<Exclude<TokenScope, "metrics">, Role> = { read: "viewer", operate: "operator", admin: "admin" };
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export const SCOPE_LABELS: Record<TokenScope, string> = {
  metrics: "Metrics only (GET /metrics)",
  read: "API: read (viewer)",
  operate: "API: operate (operator)",
  admin: "API: admin",
};

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

/** The scopes a user of `role` may give a token: metrics, and API roles up to their own. */
export function scopesFor(role: Role): TokenScope[] {
  return TOKEN_SCOPES.filter((s) => s === "metrics" || RANK[SCOPE_ROLE[s]] <= RANK[role]);
}

export const hashApiToken = (token: string) => createHash("sha256").update(token).digest("hex");

export type BearerSuccess = { ok: true; tokenId: string; userId: string | null; role: Role | "metrics"; scopes: string[] };
export type BearerFailure = { ok: false; status: 401 | 403; code: string; message: string };
export type BearerResult = BearerSuccess | BearerFailure;

const refuseWith = (status: 401 | 403, code: string, message: string): BearerFailure => ({ ok: false, status, code, message });

/**
 * Checks an Authorization header for an endpoint that needs `scope`. 401 when there is no
 * usable token (missing, malformed, unknown, revoked, expired, its user disabled), 403 when
 * the token is fine but not for this endpoint. On success: the token, its user and the
 * role the call runs as ("metrics" for a metrics token).
 */
export async function authenticateBearer(authorization: string | null, scope: RequiredScope): Promise<BearerResult> {
  return (await checkBearer(authorization, scope)).result;
}

type Checked = { result: BearerFailure } | { result: BearerSuccess; user: UserRecord; actor: AuditActor };

async function checkBearer(authorization: string | null, scope: RequiredScope): Promise<{ result: BearerFailure } | Checked> {
  const refuse = (status: 401 | 403, code: string, message: string) => ({ result: refuseWith(status, code, message) });
  if (!authorization || !authorization.trim()) {
    return refuse(401, "missing_token", "An API token is required: send Authorization: Bearer gw_…");
  }
  const presented = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization)?.[1];
  if (!presented || !TOKEN_PATTERN.test(presented)) {
    return refuse(401, "invalid_token", "The Authorization header does not hold a Gatewarden API token (Bearer gw_…).");
  }
  const row = await findApiTokenByHash(hashApiToken(presented));
  if (!row) return refuse(401, "invalid_token", "This API token is not known.");
  const now = new Date();
  if (row.revokedAt) return refuse(401, "revoked_token", "This API token has been revoked.");
  if (row.expiresAt && row.expiresAt <= now) return refuse(401, "expired_token", "This API token has expired.");
  if (row.user.disabled) return refuse(401, "invalid_token", "This API token's user is disabled.");
  if (!isTokenScope(row.scope) || !isRole(row.user.role)) return refuse(401, "invalid_token", "This API token is not usable.");

  if (scope === "metrics" && row.scope !== "metrics") {
    return refuse(403, "insufficient_scope", "This endpoint needs a metrics token; this token is for the API.");
  }
  if (scope === "api" && row.scope === "metrics") {
    return refuse(403, "insufficient_scope", "A metrics token may only call GET /metrics.");
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOUCH_EVERY_MS) await touchApiToken(row.id, now);

  const role: Role | "metrics" =
    row.scope === "metrics" ? "metrics" : lowerRole(SCOPE_ROLE[row.scope as Exclude<TokenScope, "metrics">], row.user.role);
  return {
    result: { ok: true, tokenId: row.id, userId: row.userId, role, scopes: [row.scope] },
    // The user as the API call acts: the token's role, named in the audit log with the token.
    user: { id: row.userId, username: row.user.username, role: role === "metrics" ? "viewer" : role, disabled: false },
    actor: { id: row.userId, username: `${row.user.username} (API token "${row.name}")` },
  };
}

function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * For the REST API (lib/api/route.ts): the check for an "api" token and, on success, the
 * user the call acts as (the token's role, never above the user's) and its audit name.
 */
export async function authenticateApiCall(
  authorization: string | null,
): Promise<{ ok: false; failure: BearerFailure } | { ok: true; user: UserRecord; actor: AuditActor }> {
  const checked = await checkBearer(authorization, "api");
  if (!("user" in checked)) return { ok: false, failure: checked.result };
  return { ok: true, user: checked.user, actor: checked.actor };
}

const nameSchema = z
  .string()
  .trim()
  .min(1, "Give the token a name, e.g. what uses it.")
  .max(80, "At most 80 characters.")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "No control characters.");

/**
 * Creates a token for `userId` (who is also the actor: users create their own tokens).
 * The plain token is returned once and never stored.
 */
export async function createApiToken(input: {
  userId: string;
  name: string;
  scope: TokenScope;
  expiresAt?: Date | null;
}): Promise<{ id: string; token: string }> {
  const user = await getUserById(input.userId);
  if (!user || user.disabled) throw new AppError("not_found", "That user does not exist or is disabled.");
  const name = nameSchema.safeParse(input.name);
  const fieldErrors: Record<string, string> = {};
  if (!name.success) fieldErrors.name = name.error.issues[0]?.message ?? "Not a usable name.";
  if (!isTokenScope(input.scope)) fieldErrors.scope = "Choose one of the scopes.";
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
    fieldErrors.expiresAt = "The expiry must be in the future.";
  }
  if (Object.keys(fieldErrors).length) throw new ValidationError(fieldErrors);
  if (!scopesFor(user.role).includes(input.scope)) {
    throw new ForbiddenError(`create a token with the ${input.scope} scope (above your role, ${user.role})`);
  }

  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const created = await runInTransaction(async (tx) => {
    const row = await insertApiToken(tx, {
      tokenHash: hashApiToken(token),
      prefix: token.slice(0, SHOWN_PREFIX),
      name: name.data!,
      scope: input.scope,
      userId: user.id,
      expiresAt,
    });
    await recordAudit(
      tx,
      { id: user.id, username: user.username },
      {
        action: "apiToken.create",
        targetType: "apiToken",
        targetId: row.id,
        summary: `Created API token "${row.name}" (${row.scope}) for ${user.username}`,
        after: snapshot(row),
      },
    );
    return row;
  });
  return { id: created.id, token };
}

/** Revokes a token: its own user's, or anyone's for an admin. Takes effect on the next call. */
export async function revokeApiToken(actor: UserRecord, id: string): Promise<ApiTokenInfo> {
  return runInTransaction(async (tx) => {
    const token = await getApiToken(id, tx);
    if (!token || (token.userId !== actor.id && actor.role !== "admin")) {
      throw new AppError("not_found", "That token does not exist.");
    }
    if (!(await markApiTokenRevoked(tx, id, actor.username, new Date()))) {
      throw new AppError("conflict", "That token is already revoked.");
    }
    await recordAudit(
      tx,
      { id: actor.id, username: actor.username },
      {
        action: "apiToken.revoke",
        targetType: "apiToken",
        targetId: id,
        summary: `Revoked API token "${token.name}" (${token.scope}) of ${token.username}`,
        before: snapshot(token),
      },
    );
    return (await getApiToken(id, tx))!;
  });
}

/** The tokens a user sees: their own, or all for an admin. */
export async function listVisibleApiTokens(viewer: UserRecord): Promise<ApiTokenInfo[]> {
  return listApiTokens(viewer.role === "admin" ? undefined : viewer.id);
}

function snapshot(t: Pick<ApiTokenInfo, "name" | "scope" | "prefix" | "expiresAt" | "userId">) {
  return { name: t.name, scope: t.scope, prefix: t.prefix, expiresAt: t.expiresAt?.toISOString() ?? null, userId: t.userId };
}
