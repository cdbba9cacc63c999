// What the proxy refuses before any page, action or route runs: a Host that is not this
// app's (DNS rebinding: a page on another site whose name resolves to Gatewarden), a
// change (POST and co.) whose Origin is missing or foreign (cross-site request forgery:
// Next.js lets an action without Origin through), and a body over the 1 MiB that Next's
// server actions take. Pure: the request's method and headers in, a refusal or null out.
import type { PublicWeb } from "@/lib/config/public-web";

export const MAX_BODY_BYTES = 1024 * 1024;

export type Refusal = { status: number; message: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function requestRefusal(method: string, headers: Headers, web: PublicWeb): Refusal | null {
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
  if (!origin)
    return { status: 403, message: "Refused: a change must come from a Gatewarden page, and this request had no Origin header." };
  if (!web.origins.includes(origin.toLowerCase()))
    return { status: 403, message: `Refused: a change must come from a Gatewarden page at ${web.origin}, not from ${origin}.` };
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
