// SQLite side of the schema-engine shim: the better-sqlite3 adapter, wrapped to paper
// over what the wasm engine expects from the native SQLite connector (pitfalls 1–4 in
// /work/shared/notes/stack-offline.md), and the create/drop/can-connect subcommands.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { EngineError } from "./engine-error.mjs";

// Prisma's own DDL for the history table (prisma-engines, sqlite migration persistence).
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** "file:./data/x.db?connection_limit=1" → absolute path (relative to the cwd, as Prisma does). */
export function sqliteFilePath(url) {
  const withoutScheme = url.replace(/^file:/, "").replace(/\?.*$/, "");
  return path.resolve(withoutScheme);
}

export function createSqliteConnector({ url, shadowDatabaseUrl }) {
  const file = sqliteFilePath(url);
  const withFile = (fn) => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };

  const open = new Set();
  return {
    provider: "sqlite",
    adapterFactory: wrapFactory(new PrismaBetterSqlite3({ url: `file:${file}` }, { shadowDatabaseUrl }), open),
    // The CLI kills the engine right after its last answer; closing cleanly leaves no journal behind.
    async close() {
      await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
    },

    canConnect() {
      if (!existsSync(file)) {
        throw new EngineError("P1003", `Database \`${path.basename(file)}\` does not exist at \`${file}\``, {
          database_file_name: path.basename(file),
          database_file_path: file,
        });
      }
      withFile((db) => db.prepare("SELECT 1").get());
    },
    createDatabase() {
      mkdirSync(path.dirname(file), { recursive: true });
      withFile(() => {});
      return path.basename(file);
    },
    dropDatabase() {
      for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    },

    // Pitfall 1: the wasm engine treats a missing _prisma_migrations as P1014 where the
    // native one creates it. Create it (only ever on our own file) and let the caller retry.
    async recover(error) {
      if (error?.code !== "P1014" || !/_prisma_migrations/.test(error.message)) return false;
      withFile((db) => db.exec(MIGRATIONS_TABLE_DDL));
      return true;
    },

    // Pitfall 3: the wasm reset only deletes rows. Drop every view and table instead, as
    // the native engine does (it deletes the file); sqlite_* tables cannot be dropped.
    async reset() {
      if (!existsSync(file)) return;
      withFile((db) => {
        const objects = db
          .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('view','table') AND name NOT LIKE 'sqlite_%'")
          .all();
        db.pragma("foreign_keys = OFF");
        db.transaction(() => {
          for (const { name } of objects.filter((o) => o.type === "view")) db.exec(`DROP VIEW "${name}"`);
          for (const { name } of objects.filter((o) => o.type === "table")) db.exec(`DROP TABLE "${name}"`);
          if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get()) {
            db.exec("DELETE FROM sqlite_sequence");
          }
        })();
        db.exec("VACUUM");
      });
    },
  };
}

function wrapFactory(factory, open) {
  const track = (adapter) => {
    const wrapped = wrapAdapter(adapter);
    open.add(wrapped);
    wrapped.dispose = async () => {
      open.delete(wrapped);
      await adapter.dispose();
    };
    return wrapped;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => track(await factory.connect()),
    connectToShadowDb: async () => track(await factory.connectToShadowDb()),
  };
}

function wrapAdapter(adapter) {
  // Prototype methods (and #private fields) stay bound to the real adapter.
  const wrapped = Object.create(adapter);
  for (const method of ["queryRaw", "executeRaw", "executeScript", "startTransaction"]) {
    wrapped[method] = adapter[method].bind(adapter);
  }
  if (adapter.getConnectionInfo) wrapped.getConnectionInfo = adapter.getConnectionInfo.bind(adapter);

  // Pitfall 2: migration scripts arrive as one executeRaw; better-sqlite3's prepare()
  // accepts one statement only, its exec() takes a whole script.
  wrapped.executeRaw = async (query) => {
    try {
      return await adapter.executeRaw(query);
    } catch (error) {
      if (query.args.length === 0 && error instanceof RangeError && /more than one statement/.test(error.message)) {
        await adapter.executeScript(query.sql);
        return 0;
      }
      throw error;
    }
  };

  // Pitfall 4: sqlite_sequence survives a reset (SQLite will not drop it); hidden here so
  // the engine's "is the schema empty?" check (P3005) and its table list ignore it.
  wrapped.queryRaw = async (query) => {
    const result = await adapter.queryRaw(query);
    if (!/sqlite_(master|schema)/i.test(query.sql)) return result;
    const nameColumns = result.columnNames
      .map((name, index) => (["name", "tbl_name", "table_name"].includes(name) ? index : -1))
      .filter((index) => index >= 0);
    if (nameColumns.length === 0) return result;
    const rows = result.rows.filter((row) => !nameColumns.some((index) => row[index] === "sqlite_sequence"));
    return { ...result, rows };
  };
  return wrapped;
}
