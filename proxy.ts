// Runs before every page, server action and API route (Next.js 16's proxy, formerly
// middleware): refuses foreign hosts, cross-origin or origin-less changes and oversized
// bodies (lib/http/request-policy.ts), and sets the security headers with a per-request
// CSP nonce (lib/http/security-headers.ts). Authentication stays in each action and route.
import { NextResponse, type NextRequest } from "next/server";
import { getEnv } from "@/lib/config/env";
import { requestRefusal } from "@/lib/http/request-policy";
import { contentSecurityPolicy, securityHeaders } from "@/lib/http/security-headers";

export function proxy(request: NextRequest) {
  const web = getEnv().web;
  const https = web.ok && web.https;
  const refusal = requestRefusal(request.method, request.headers, web, request.nextUrl.pathname);
  if (refusal) {
    return new NextResponse(`${refusal.message}\n`, {
      status: refusal.status,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
        ...securityHeaders({ https }),
        "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
      },
    });
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development", https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  for (const [name, value] of Object.entries(securityHeaders({ https }))) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but the build's static files (hashed, public, and served without a session).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
