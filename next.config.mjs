// Next.js configuration. ssh2 (optional native addon), better-sqlite3 and the Prisma
// adapters stay external: Turbopack cannot bundle native modules.
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
  ],
  poweredByHeader: false,
  // Type errors are caught by `npm run typecheck` (part of `npm test`) over the whole
  // tree, tests included; the build need not repeat it on every start.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    serverActions: { bodySizeLimit: "1mb" },
  },
};

export default nextConfig;
