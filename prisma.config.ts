// Prisma CLI configuration. Prisma allows one provider per schema, so Gatewarden keeps
// prisma/sqlite and prisma/postgres (schemas generated from prisma/models.prisma.part)
// and this file picks one from DATABASE_URL exactly as lib/config/env.ts does at
// runtime. Use the CLI through `node scripts/prisma.mjs …`: it also points Prisma at our
// schema-engine shim, without which `migrate` and `db` cannot run here.
import "dotenv/config"; // Prisma 7 no longer reads .env by itself
import path from "node:path";
import { defineConfig } from "prisma/config";

const url =
  process.env.DATABASE_URL?.trim() ||
  `file:${path.join(path.resolve(process.env.GATEWARDEN_DATA_DIR?.trim() || "./data"), "gatewarden.db")}`;
const provider = /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url },
});
