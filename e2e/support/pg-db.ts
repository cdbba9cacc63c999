// For integration tests on PostgreSQL: a fresh temporary database per test file,
// created through the gatewarden role (it has CREATEDB; scripts/pg-setup.sh), migrated
// like the app migrates at start, and dropped afterwards. Fails loudly, with the fix,
// when PostgreSQL is not there: CI runs scripts/pg-setup.sh before the integration tests.
import { randomUUID } from "node:crypto";
import pg from "pg";
// @ts-expect-error plain ESM script without types
import { migrateDeploy } from "../../scripts/prisma-migrate.mjs";

const ADMIN_URL = process.env.GATEWARDEN_TEST_PG_URL ?? "postgresql://gatewarden:gatewarden@127.0.0.1:5432/gatewarden";

async function asAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export type TempPgDatabase = { url: string; name: string; drop(): Promise<void> };

export async function freshPgDatabase(prefix = "gatewarden_test"): Promise<TempPgDatabase> {
  const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  try {
    await asAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable as ${ADMIN_URL.replace(/:[^:@/]*@/, ":***@")} (${String(error)}). ` +
        "Run scripts/pg-setup.sh (as root) first; CI runs it before the integration tests.",
    );
  }
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrateDeploy({ env: { ...process.env, DATABASE_URL: url } });
  return { url, name, drop: () => dropDatabase(name) };
}

/**
 * DROP DATABASE … WITH (FORCE), tried again for a few seconds while it is refused with
 * "must be a member of the role whose process is being terminated": a backend of no role
 * (an autovacuum worker on the test's busy tables) may be on the database, and the
 * gatewarden role may not terminate it. It finishes by itself in a moment.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await asAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE || attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const INSUFFICIENT_PRIVILEGE = "42501";
