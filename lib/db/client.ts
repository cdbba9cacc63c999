// The one Prisma client of the process. SQLite (better-sqlite3) is the embedded
// default; a postgres:// DATABASE_URL selects PostgreSQL. Both generated clients have
// the same models, so the rest of lib/db is typed against the SQLite one.
import "server-only";
import { mkdirSync } from "node:fs";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/lib/generated/sqlite/client";
import { PrismaClient as PgClient } from "@/lib/generated/postgres/client";
import { getEnv } from "@/lib/config/env";

export type Db = SqliteClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

function createClient(): Db {
  const env = getEnv();
  if (env.databaseKind === "postgres") {
    const client = new PgClient({ adapter: new PrismaPg({ connectionString: env.databaseUrl }) });
    return client as unknown as Db;
  }
  mkdirSync(env.dataDir, { recursive: true, mode: 0o700 });
  return new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: env.databaseUrl }) });
}

const globalForDb = globalThis as unknown as { gatewardenDb?: Db };

export function getDb(): Db {
  globalForDb.gatewardenDb ??= createClient();
  return globalForDb.gatewardenDb;
}

/**
 * Runs `fn` in one serializable transaction: checks made inside it (overlaps,
 * free interface names) hold when the rows are written, even with two app instances.
 */
export async function runInTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return getDb().$transaction(fn, { isolationLevel: "Serializable", timeout: 15_000 });
}
