#!/usr/bin/env node
// The one way to run the Prisma CLI in Gatewarden (app, CI, developers):
//   node scripts/prisma.mjs <prisma args…>
// It picks the database like the app does — DATABASE_URL postgres://… or
// postgresql://… → prisma/postgres; file:… → that SQLite file; unset → SQLite at
// $GATEWARDEN_DATA_DIR/gatewarden.db (default ./data) — and runs Prisma with our
// schema-engine shim (scripts/prisma-schema-engine.mjs), since Prisma's native engine
// cannot be downloaded here. `generate` always generates both clients.
//
// Changing the models (developer how-to):
//   1. Edit prisma/models.prisma.part, then `node scripts/prisma-schemas.mjs`
//      (rewrites prisma/{sqlite,postgres}/schema.prisma; never edit those by hand).
//   2. Make the migration for BOTH providers, with the same name:
//        node scripts/prisma.mjs migrate dev --create-only --name <what_changed>
//        DATABASE_URL=postgresql://gatewarden:gatewarden@127.0.0.1:5432/gatewarden \
//          node scripts/prisma.mjs migrate dev --create-only --name <what_changed>
//      (PostgreSQL: run scripts/pg-setup.sh first.) `--create-only` writes
//      prisma/<provider>/migrations/<timestamp>_<name>/migration.sql without applying
//      it: read it, then apply with `npm run db:migrate` (migrate deploy).
//      Without a database at hand, `migrate diff` prints the same SQL:
//        node scripts/prisma.mjs migrate diff --from-migrations prisma/sqlite/migrations \
//          --to-schema prisma/sqlite/schema.prisma --script
//   3. `npm run db:generate`, and `npx vitest run --project integration scripts/`
//      (deploys both migration folders and checks them against the schemas for drift).
// The app applies pending migrations itself on start (scripts/prisma-migrate.mjs).
import { runPrisma } from "./prisma-run.mjs";

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node scripts/prisma.mjs <prisma args…>   e.g. migrate status");
  process.exit(2);
}
try {
  const { code } = await runPrisma(args);
  process.exit(code);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
