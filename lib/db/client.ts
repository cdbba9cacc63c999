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
import { isAdapterWriteConflict } from "@/lib/db/errors";

export type Db = SqliteClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/**
 * How long a SQLite write waits for another connection's write lock (SQLite's busy
 * timeout) before failing with SQLITE_BUSY: as long as a transaction may take
 * (runInTransaction's 15 s), not better-sqlite3's 5 s. Another process writing the same
 * file (`npm run keys:rotate`, the e2e helpers) held the lock past 5 s under load, and a
 * delete then failed.
 */
export const SQLITE_BUSY_WAIT_MS = 15_000;

function createClient(): Db {
  const env = getEnv();
  if (env.databaseKind === "postgres") {
    const client = new PgClient({ adapter: new PrismaPg({ connectionString: env.databaseUrl }) });
    return client as unknown as Db;
  }
  mkdirSync(env.dataDir, { recursive: true, mode: 0o700 });
  return new SqliteClient({
    adapter: withSqliteBindLimit(new PrismaBetterSqlite3({ url: env.databaseUrl, timeout: SQLITE_BUSY_WAIT_MS })),
  });
}

/**
 * Prisma assumes SQLite's historic limit of 999 bound parameters when the adapter does
 * not say otherwise, and refuses (P2029) a relation load over 999 parents — the
 * overview of a 1,000-tunnel fleet. better-sqlite3 bundles an SQLite built with the
 * modern default, 32,766 (checked in lib/db/client.int.test.ts), so say so.
 */
export const SQLITE_MAX_BIND_VALUES = 32_766;

function withSqliteBindLimit(factory: PrismaBetterSqlite3): PrismaBetterSqlite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    return Object.assign(adapter, { getConnectionInfo: () => ({ maxBindValues: SQLITE_MAX_BIND_VALUES, supportsRelationJoins: false }) });
  };
  return factory;
}

const globalForDb = globalThis as unknown as { gatewardenDb?: Db };

/** Closes the client a script opened (a server keeps its one client for its lifetime). */
export async function disconnectDb(): Promise<void> {
  await globalForDb.gatewardenDb?.$disconnect();
}

export function getDb(): Db {
  globalForDb.gatewardenDb ??= createClient();
  return globalForDb.gatewardenDb;
}

/**
 * Runs `fn` in one serializable transaction: checks made inside it (overlaps,
 * free interface names) hold when the rows are written, even with two app instances.
 * `timeoutMs` (15 s) bounds it; only whole-database work such as re-encrypting every
 * secret needs more. `maxWaitMs` (2 s) bounds the wait to begin: on SQLite transactions
 * queue behind one another, and a burst of sign-ins queues many.
 */
export async function runInTransaction<T>(fn: (tx: Tx) => Promise<T>, opts: { timeoutMs?: number; maxWaitMs?: number } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await getDb().$transaction(fn, {
        isolationLevel: "Serializable",
        timeout: opts.timeoutMs ?? 15_000,
        maxWait: opts.maxWaitMs ?? 2_000,
      });
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS || !isWriteConflict(error)) throw error;
      // Rolled back whole: nothing of it is written, so it runs again from its first read.
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt + Math.random() * 50));
    }
  }
}

/** How often a transaction is tried when it loses a write conflict. */
export const TRANSACTION_ATTEMPTS = 4;

/**
 * A serializable transaction that lost to another writer, which the databases say to
 * retry: PostgreSQL's serialization failure (Prisma P2034, or the adapter's own error at COMMIT), and SQLite's SQLITE_BUSY
 * that the busy timeout does not wait out (Prisma P1008: a transaction that read, then
 * wants to write after another connection wrote, gets SQLITE_BUSY_SNAPSHOT at once).
 */
export function isWriteConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "P2034" || code === "P1008" || isAdapterWriteConflict(error);
}
