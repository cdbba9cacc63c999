// Brings the database up to date on every start of the app: a fresh SQLite file is
// created and migrated, an existing one gets the migrations it lacks, PostgreSQL the
// same. Called by the start script before the server starts serving.
import { runPrisma } from "./prisma-run.mjs";

/**
 * `prisma migrate deploy` for the database `env` selects (see resolveDatabase).
 * Throws with Prisma's output when it fails, so the app does not start on a stale schema.
 */
export async function migrateDeploy({ env = process.env } = {}) {
  const { code, output } = await runPrisma(["migrate", "deploy"], { env, capture: true });
  if (code !== 0) throw new Error(`prisma migrate deploy failed (exit ${code}):\n${output}`);
  return output;
}
