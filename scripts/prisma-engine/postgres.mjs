// PostgreSQL side of the schema-engine shim: the pg adapter, wrapped for what the wasm
// engine needs (pitfalls 5–6 in /work/shared/notes/stack-offline.md), and the
// create/drop/can-connect subcommands.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { EngineError } from "./engine-error.mjs";

const OID_CHAR = 18; // the catalog type "char" (pg_class.relkind, pg_constraint.contype, …)
const OID_TEXT = 25;

// Pitfall 5: adapter-pg refuses result columns of type "char", and the engine's schema
// describer selects several. This process only ever runs the engine, so read them as
// text here (pg's text parser for "char" is the identity anyway).
const addFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function addFieldsCharAsText(fields) {
  for (const field of fields) if (field.dataTypeID === OID_CHAR) field.dataTypeID = OID_TEXT;
  return addFields.call(this, fields);
};

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

/** Maps connection failures to the codes the Prisma CLI understands (P1003 → it offers to create). */
function toEngineError(error, url) {
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || 5432}`;
  if (error.code === "3D000") {
    return new EngineError("P1003", `Database \`${databaseName(url)}\` does not exist on the database server at \`${where}\`.`, {
      database_name: databaseName(url),
      database_host: u.hostname,
      database_port: Number(u.port || 5432),
    });
  }
  if (error.code === "28P01" || error.code === "28000") {
    return new EngineError(
      "P1000",
      `Authentication failed against database server at \`${where}\`, the provided database credentials for \`${decodeURIComponent(u.username)}\` are not valid.`,
    );
  }
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT"].includes(error.code)) {
    return new EngineError(
      "P1001",
      `Can't reach database server at \`${where}\`\n\nPlease make sure your database server is running at \`${where}\`.`,
    );
  }
  return error;
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw toEngineError(error, url);
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function createPostgresConnector({ url, shadowDatabaseUrl }) {
  const open = new Set();
  const track = (adapter) => {
    open.add(adapter);
    const dispose = adapter.dispose;
    adapter.dispose = () => (open.delete(adapter), dispose());
    return adapter;
  };
  return {
    provider: "postgres",
    adapterFactory: {
      provider: "postgres",
      adapterName: "@prisma/adapter-pg",
      connect: async () => track(await connectAdapter(url)),
      // Pitfall 6: PrismaPg's connectToShadowDb spreads `database` over a config whose
      // connectionString wins, so the "shadow" is the main database. Make our own.
      connectToShadowDb: async () => track(await (shadowDatabaseUrl ? connectAdapter(shadowDatabaseUrl) : connectTemporaryShadow(url))),
    },
    // Also drops a temporary shadow database the engine did not get to dispose of.
    async close() {
      await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
    },
    canConnect: () => withClient(url, (client) => client.query("SELECT 1")),
    async createDatabase() {
      const name = databaseName(url);
      await withClient(withDatabase(url, "postgres"), (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
      return name;
    },
    async dropDatabase() {
      const name = databaseName(url);
      await withClient(withDatabase(url, "postgres"), (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
    recover: async () => false,
    reset: null, // the wasm engine's own reset (drop and recreate the schema) is right here
  };
}

async function connectAdapter(url, onDispose) {
  const adapter = await new PrismaPg({ connectionString: url }).connect();
  const pool = adapter.underlyingDriver();
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    // adapter-pg splits scripts on ";", which breaks on function bodies and string
    // literals; a query without parameters uses the simple protocol, which takes a
    // whole script as PostgreSQL parses it.
    executeScript: async (script) => {
      try {
        await pool.query(script);
      } catch (error) {
        adapter.onError(error);
      }
    },
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: () => adapter.getConnectionInfo(),
    dispose: async () => {
      await adapter.dispose();
      await onDispose?.();
    },
  };
}

async function connectTemporaryShadow(url) {
  const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
  const admin = withDatabase(url, "postgres");
  await withClient(admin, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return connectAdapter(withDatabase(url, name), () =>
    withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)),
  );
}
