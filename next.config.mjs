// Next.js configuration. ssh2 (optional native addon), better-sqlite3 and the Prisma
// adapters stay external: Turbopack cannot bundle native modules.

/**
 * Hosts (host[:port], as Origin headers carry them) from which server actions are
 * accepted: the public URL's, and on loopback its aliases. Next.js compares an action's
 * Origin with the Host it received, which differs behind a reverse proxy that does not
 * pass the public name on. The same rule as lib/config/public-web.ts, which validates
 * the variables (lib/config/env.test.ts checks that both agree); this file cannot
 * import TypeScript.
 */
export function serverActionOrigins(env = process.env) {
  let url;
  try {
    if (env.GATEWARDEN_PUBLIC_URL?.trim()) url = new URL(env.GATEWARDEN_PUBLIC_URL.trim());
    else {
      const host = (env.HOST ?? "127.0.0.1").trim();
      url = new URL(`http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${(env.PORT ?? "3000").trim()}`);
    }
  } catch {
    return []; // the server refuses to start with the reason (lib/startup.ts)
  }
  const loopback = ["localhost", "[::1]"].includes(url.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname);
  const port = url.port ? `:${url.port}` : "";
  const hosts = [url.host, ...(loopback ? ["127.0.0.1", "localhost", "[::1]"].map((h) => `${h}${port}`) : [])];
  return [...new Set(hosts.map((h) => h.toLowerCase()))];
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
    "pg-boss",
    "ssh2",
    "cpu-features",
    "pino",
    // One copy of prom-client per process: the registry lives on globalThis (lib/metrics/registry).
    "prom-client",
  ],
  poweredByHeader: false,
  // Type errors are caught by `npm run typecheck` (part of `npm test`) over the whole
  // tree, tests included; the build need not repeat it on every start.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    // The proxy (proxy.ts) already refuses changes from other origins and bodies over 1 MiB.
    serverActions: { bodySizeLimit: "1mb", allowedOrigins: serverActionOrigins() },
  },
  // The build's static files skip the proxy; they get the headers that apply to them.
  async headers() {
    return [{ source: "/_next/static/:path*", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] }];
  },
};

export default nextConfig;
