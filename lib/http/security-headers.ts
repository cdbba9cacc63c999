// The security headers on every response the proxy lets through. The Content-Security-
// Policy carries a fresh nonce per request: Next.js reads it from the request's CSP
// header and puts it on its own inline scripts, so no other inline script runs
// (node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md).

export function contentSecurityPolicy(nonce: string, opts: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    // React's dev tools rebuild server stacks with eval; production needs no eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${opts.dev ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    // style="" attributes (charts, the topology map) cannot run code; style elements need the nonce.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    // No page of Gatewarden in a frame: one-click actions cannot be clickjacked.
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function securityHeaders(opts: { https: boolean }): Record<string, string> {
  return {
    "x-content-type-options": "nosniff",
    // Not no-referrer: under it Chromium sends "Origin: null" with the page's own form POSTs.
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), usb=(), payment=()",
    ...(opts.https ? { "strict-transport-security": "max-age=31536000" } : {}),
  };
}

/** The nonce inside a policy made by contentSecurityPolicy, for the app's own inline script. */
export function cspNonce(csp: string | null | undefined): string | undefined {
  return csp?.match(/'nonce-([A-Za-z0-9+/=]+)'/)?.[1];
}
