// What the proxy refuses before any page, action or route runs: a Host that is not this
// app's (DNS rebinding: a page on another site whose name resolves to Gatewarden), a
// change (POST and co.) whose Origin is missing or foreign (cross-site request forgery:
// Next.js lets an action without Origin through), and a body over the 1 MiB that Next's
// server actions take. Pure: the request's method, headers and path in, a refusal or null out.
//
// Scripts calling the REST API (/api/v1/…) with an API token send no Origin: a change
// there that carries `Authorization: Bearer …` may come without Origin, and only there.
// That opens nothing to cross-site forgery: a browser cannot attach an Authorization
// header to a cross-site request without a CORS preflight, which Gatewarden never grants,
// and the API authenticates by that token alone, never by the session cookie
// (lib/api/route.ts). A foreign Origin or a browser's cross-site mark is still refused,
// and the Host and body checks apply.
import type { PublicWeb } from "@/lib/config/public-web";

export const MAX_BODY_BYTES = 1024 * 1024;

export type Refusal = { status: number; message: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The REST API's prefix, whose token-bearing calls may come without Origin. */
export const TOKEN_API_PREFIX = "/api/v1/";

/** A call a script makes with an API token: to the REST API, with a bearer token, not a server action. */
export function isTokenApiCall(pathname: string, headers: Headers): boolean {
  return pathname.startsWith(TOKEN_API_PREFIX) && /^Bearer\s/i.test(headers.get("authorization") ?? "") && !headers.has("next-action");
}

export function requestRefusal(method: string, headers: Headers, web: PublicWeb, pathname = "/"): Refusal | null {
  if (!web.ok) return { status: 503, message: `Gatewarden is not configured to serve: ${web.problem}` };
  const host = headers.get("host")?.toLowerCase();
  if (!host || !web.hosts.includes(host)) {
    return { status: 421, message: `This Gatewarden answers only at ${web.origin}; requests for another host name are refused.` };
  }
  const forwarded = headers.get("x-forwarded-host")?.toLowerCase();
  if (forwarded !== undefined && !web.hosts.includes(forwarded)) {
    return { status: 421, message: `This Gatewarden answers only at ${web.origin}; a request forwarded for another host name is refused.` };
  }
  if (SAFE_METHODS.has(method.toUpperCase())) return null;

  const origin = headers.get("origin");
  if (origin && !web.origins.includes(origin.toLowerCase()))
    return { status: 403, message: `Refused: a change must come from a Gatewarden page at ${web.origin}, not from ${origin}.` };
  if (!origin && !isTokenApiCall(pathname, headers))
    return { status: 403, message: "Refused: a change must come from a Gatewarden page, and this request had no Origin header." };
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin")
    return { status: 403, message: `Refused: a change must come from a Gatewarden page (the browser says this one is ${site}).` };

  const length = headers.get("content-length");
  if (length === null) {
    if (headers.has("transfer-encoding")) return { status: 411, message: "Refused: say how long the request body is (Content-Length)." };
  } else if (!/^[0-9]{1,15}$/.test(length.trim())) {
    return { status: 400, message: "Refused: the Content-Length header is not a number." };
  } else if (Number(length) > MAX_BODY_BYTES) {
    return { status: 413, message: `Refused: the request body is ${length} bytes; Gatewarden takes at most ${MAX_BODY_BYTES} (1 MiB).` };
  }
  return null;
}
