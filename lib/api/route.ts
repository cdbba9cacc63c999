// The one way a REST API route runs (lib/api/v1.ts defines them; app/api/v1/**/route.ts
// export them): authenticate the bearer token → authorize with the same permission
// checks as the server actions (lib/auth/permissions) → read path, query and JSON body
// strictly with zod → call the same use case as the page → JSON. Every failure is JSON
// { error: { code, message, fieldErrors? } } with a stable code. The API authenticates
// by token only, never by the session cookie, so a browser's cookie cannot be ridden
// into it from another site (lib/http/request-policy.ts lets token calls through).
import "server-only";
import { z } from "zod";
import type { Role } from "@/lib/auth/permissions";
import type { AuditActor } from "@/lib/db/audit";
import type { UserRecord } from "@/lib/db/users";
import { authenticateApiCall } from "@/lib/api/tokens";
import { AppError, ForbiddenError } from "@/lib/errors";
import { toActionFailure } from "@/lib/actions/action-failure";
import { logger } from "@/lib/log/logger";

export type ApiContext<P, Q, B> = { user: UserRecord; actor: AuditActor; params: P; query: Q; body: B };

export type ApiResponse = { status: number; body: unknown };

type AnyObject = z.ZodObject<z.ZodRawShape>;

export type RouteDefinition<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> = {
  method: "GET" | "POST";
  /** OpenAPI path under /api/v1, with {param} placeholders. */
  path: string;
  summary: string;
  tag: string;
  /** The permission (lib/auth/permissions) and, for the refusal, what it allows. */
  can: (role: Role) => boolean;
  what: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The success status and its schema (the wire form: dates as ISO strings). */
  status: number;
  response: z.ZodType;
  /** Failures this route may answer beyond 400/401/403/500, for the document. */
  errors?: number[];
  /** No token needed (the OpenAPI document itself). */
  public?: boolean;
  run: (ctx: ApiContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>;
};

// Type-erased form kept in the registry.
export type AnyRoute = RouteDefinition<AnyObject, AnyObject, z.ZodType>;

type NoFields = z.ZodObject<Record<never, z.ZodType>>;

export function defineRoute<P extends AnyObject = NoFields, Q extends AnyObject = NoFields, B extends z.ZodType = z.ZodUndefined>(
  def: RouteDefinition<P, Q, B>,
): AnyRoute {
  return def as unknown as AnyRoute;
}

/** HTTP status for an expected failure's code. */
export function statusOf(code: string): number {
  switch (code) {
    case "validation":
    case "malformed":
      return code === "validation" ? 422 : 400;
    case "not_found":
      return 404;
    case "forbidden":
    case "insufficient_scope":
      return 403;
    case "unauthenticated":
      return 401;
    case "payload_too_large":
      return 413;
    default:
      return 409;
  }
}

export function errorResponse(status: number, code: string, message: string, fieldErrors?: Record<string, string>, headers?: HeadersInit) {
  const body = { error: { code, message, ...(fieldErrors && Object.keys(fieldErrors).length ? { fieldErrors } : {}) } };
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

function issuesToFields(error: z.ZodError, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = prefix + (issue.path.map(String).join(".") || "body");
    out[key] ??= issue.message;
  }
  return out;
}

/** Query values once each: a repeated or unknown key is refused. */
function readQuery(url: URL, schema: AnyObject | undefined): { ok: true; value: unknown } | { ok: false; response: Response } {
  const raw: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) return { ok: false, response: errorResponse(400, "malformed", `Give ${key} once.`) };
    raw[key] = values[0]!;
  }
  const parsed = (schema ?? z.object({})).strict().safeParse(raw);
  if (!parsed.success) {
    return { ok: false, response: errorResponse(400, "malformed", "The query is not valid.", issuesToFields(parsed.error, "query.")) };
  }
  return { ok: true, value: parsed.data };
}

async function readBody(
  request: Request,
  schema: z.ZodType | undefined,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await request.text();
  if (!schema) {
    if (text.trim()) return { ok: false, response: errorResponse(400, "malformed", "This call takes no request body.") };
    return { ok: true, value: undefined };
  }
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return { ok: false, response: errorResponse(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).") };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, response: errorResponse(400, "malformed", "The request body is not valid JSON.") };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, response: errorResponse(422, "validation", "Please correct the listed fields.", issuesToFields(parsed.error)) };
  }
  return { ok: true, value: parsed.data };
}

/** The Next.js route handler for a definition. */
export function handler(def: AnyRoute) {
  return async (request: Request, ctx: { params: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    try {
      let user: UserRecord | null = null;
      let actor: AuditActor | null = null;
      if (!def.public) {
        const who = await authenticateApiCall(request.headers.get("authorization"));
        if (!who.ok) {
          const { status, code, message } = who.failure;
          return errorResponse(status, code, message, undefined, {
            "www-authenticate": `Bearer realm="gatewarden", error="${status === 401 ? "invalid_token" : "insufficient_scope"}"`,
          });
        }
        if (!def.can(who.user.role)) {
          const e = new ForbiddenError(def.what);
          return errorResponse(403, e.code, e.userMessage);
        }
        ({ user, actor } = who);
      }
      const rawParams = await ctx.params;
      const params = (def.params ?? z.object({})).safeParse(rawParams ?? {});
      // A path that names no valid id names nothing.
      if (!params.success) return errorResponse(404, "not_found", "There is nothing at this address.");
      const query = readQuery(new URL(request.url), def.query);
      if (!query.ok) return query.response;
      const body = await readBody(request, def.body);
      if (!body.ok) return body.response;
      const result = await def.run({ user: user!, actor: actor!, params: params.data, query: query.value, body: body.value } as never);
      return Response.json(result, { status: def.status, headers: { "cache-control": "no-store" } });
    } catch (e) {
      const failure = toActionFailure(e, `api ${def.method} ${def.path}`);
      if (failure) {
        const code = e instanceof AppError ? e.code : "conflict";
        return errorResponse(statusOf(code), code, failure.message, failure.fieldErrors);
      }
      logger.error({ err: e, route: `${def.method} ${def.path}` }, "API call failed");
      return errorResponse(500, "internal", "Gatewarden failed to answer this call; the server log has the details.");
    }
  };
}
