#!/usr/bin/env node
// A stand-in for Prisma's native `schema-engine` binary, which this project cannot
// download (no access to Prisma's binary host). The Prisma CLI spawns whatever
// PRISMA_SCHEMA_ENGINE_BINARY names (scripts/prisma.mjs points it here) and talks
// JSON-RPC 2.0 with it, one JSON object per line on stdin/stdout; it also runs
// `--version` and `cli can-connect-to-database|create-database|drop-database`.
// We answer that protocol with @prisma/schema-engine-wasm (the same engine compiled
// to WebAssembly) over the better-sqlite3 or pg driver adapter.
//
// This leans on Prisma internals: the CLI↔engine protocol and the wasm engine's
// expectations of the adapters are not public API. Prisma packages are pinned exactly
// in package.json, and scripts/prisma-migrations.int.test.ts runs `migrate deploy`,
// `migrate status` and a drift check on both databases, so an upgrade that breaks this
// fails CI loudly. Workarounds for the engine's rough edges live in scripts/prisma-engine/.
import { readFile } from "node:fs/promises";
import readline from "node:readline";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { loadSchemaEngineWasm } from "./prisma-engine/load-wasm.mjs";
import { createSqliteConnector } from "./prisma-engine/sqlite.mjs";
import { createPostgresConnector } from "./prisma-engine/postgres.mjs";
import { EngineError } from "./prisma-engine/engine-error.mjs";
import { ENGINE_USAGE, parseEngineArgs } from "./prisma-engine/args.mjs";

const args = parseCommandLine(process.argv.slice(2));

if (args.version) {
  const { engineVersion } = await loadSchemaEngineWasm();
  process.stdout.write(`schema-engine-cli ${engineVersion}\n`);
} else if (args.cliCommand) {
  await runCliCommand(args);
} else {
  await serveJsonRpc(args).catch((error) => {
    // Startup failed (bad datasource, engine would not load): the CLI shows this line.
    logLine("ERROR", { message: error.message, error_code: error.code });
    process.exit(1);
  });
}

// A form we do not know is refused, reported the way the CLI reads engine failures:
// JSON log lines on stderr (it skips the first line of a failed `cli` subcommand) and
// exit code 1 (other codes it reports as a panic).
function parseCommandLine(argv) {
  try {
    return parseEngineArgs(argv);
  } catch (error) {
    logLine("INFO", { message: "schema-engine shim: refusing its command line" });
    logLine("ERROR", { message: `schema-engine shim: ${error.message}\n${ENGINE_USAGE}` });
    process.exit(1);
  }
}

function providerOf(url, datamodelTexts) {
  if (url) return /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";
  return datamodelTexts.some((text) => /provider\s*=\s*"postgresql"/.test(text)) ? "postgres" : "sqlite";
}

function createConnector(datasource, datamodelTexts) {
  const url = datasource?.url;
  const shadowDatabaseUrl = datasource?.shadowDatabaseUrl ?? undefined;
  if (providerOf(url, datamodelTexts) === "postgres") {
    if (!url) throw new EngineError("P1012", "A PostgreSQL datasource URL is required (datasource.url in prisma.config.ts).");
    return createPostgresConnector({ url, shadowDatabaseUrl });
  }
  // Without a URL (e.g. a pure `migrate diff`), an in-memory database is enough.
  return createSqliteConnector({ url: url ?? "file::memory:", shadowDatabaseUrl });
}

// Log lines as the native engine writes them on stderr; the CLI parses these.
function logLine(level, fields) {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: "schema_engine::logger" })}\n`);
}

async function runCliCommand({ cliCommand, datasource }) {
  // The CLI ignores the first stderr line of a failed subcommand and looks for an ERROR
  // line from schema_engine::logger carrying error_code and message.
  logLine("INFO", { message: `schema-engine shim: cli ${cliCommand}` });
  try {
    const connector = createConnector(datasource, []);
    if (cliCommand === "can-connect-to-database") await connector.canConnect();
    else if (cliCommand === "create-database") await connector.createDatabase();
    else if (cliCommand === "drop-database") await connector.dropDatabase();
    process.exit(0);
  } catch (error) {
    logLine("ERROR", { message: error.message, error_code: error.code ?? "P1000" });
    process.exit(1);
  }
}

async function serveJsonRpc({ datamodels: datamodelPaths, datasource }) {
  const datamodels = await Promise.all(datamodelPaths.map(async (p) => [p, await readFile(p, "utf8")]));
  const connector = createConnector(
    datasource,
    datamodels.map(([, text]) => text),
  );
  const { SchemaEngine } = await loadSchemaEngineWasm();
  const engine = await SchemaEngine.new(
    { datamodels: datamodels.length ? datamodels : undefined },
    (line) => process.stderr.write(`${line}\n`),
    bindMigrationAwareSqlAdapterFactory(connector.adapterFactory),
  );

  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  let nextRequestId = 1;
  const pendingRequests = new Map(); // our requests to the CLI (print), by id
  const requestCli = (method, params) =>
    new Promise((resolve) => {
      const id = `shim-${nextRequestId++}`;
      pendingRequests.set(id, resolve);
      send({ jsonrpc: "2.0", id, method, params });
    });

  const methods = createMethods({ engine, connector, requestCli });
  let queue = Promise.resolve(); // the CLI sends one request at a time; keep it that way

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on("line", (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line);
    if (message.method === undefined) {
      pendingRequests.get(message.id)?.(message.result);
      pendingRequests.delete(message.id);
      return;
    }
    queue = queue.then(async () => {
      try {
        const handler = methods[message.method];
        if (!handler) throw Object.assign(new Error(`Method not found: ${message.method}`), { rpcCode: -32601 });
        send({ jsonrpc: "2.0", id: message.id, result: (await handler(message.params ?? {})) ?? {} });
      } catch (error) {
        send({ jsonrpc: "2.0", id: message.id, error: toRpcError(error) });
      }
    });
  });
  // The CLI ends stdin and sends SIGTERM at once when it is done: close connections
  // (and drop temporary shadow databases) before leaving.
  let closing;
  const shutdown = () => {
    closing ??= connector.close().finally(() => process.exit(0));
    return closing;
  };
  process.on("SIGTERM", shutdown);
  input.on("close", () => queue.finally(shutdown));
}

function toRpcError(error) {
  if (error.rpcCode) return { code: error.rpcCode, message: error.message };
  const userFacing = typeof error.code === "string" && /^P\d{4}$/.test(error.code);
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: {
      is_panic: false,
      // Known errors read like the native engine's; anything else keeps its class name
      // (SchemaConnectorError, DriverAdapterError, …) as a hint to where it came from.
      message: userFacing ? error.message : `${error.name ?? "Error"}: ${error.message}`,
      meta: error.meta ?? null,
      error_code: userFacing ? error.code : null,
    },
  };
}

function createMethods({ engine, connector, requestCli }) {
  // Retries once after a connector fixed what the engine tripped on (SQLite P1014).
  const call = async (method, params) => {
    try {
      return await engine[method](params);
    } catch (error) {
      if (await connector.recover(error)) return engine[method](params);
      throw error;
    }
  };
  const forward = (method) => (params) => call(method, params);

  return {
    applyMigrations: forward("applyMigrations"),
    createMigration: forward("createMigration"),
    dbExecute: forward("dbExecute"),
    devDiagnostic: forward("devDiagnostic"),
    diagnoseMigrationHistory: forward("diagnoseMigrationHistory"),
    ensureConnectionValidity: forward("ensureConnectionValidity"),
    evaluateDataLoss: forward("evaluateDataLoss"),
    introspect: forward("introspect"),
    introspectSql: forward("introspectSql"),
    markMigrationApplied: forward("markMigrationApplied"),
    markMigrationRolledBack: forward("markMigrationRolledBack"),
    schemaPush: forward("schemaPush"),
    debugPanic: () => engine.debugPanic(),
    getDatabaseVersion: (params) => call("version", params),
    // The native engine prints the diff itself (a `print` request to the CLI).
    async diff(params) {
      const { exitCode, stdout } = await call("diff", params);
      if (stdout) await requestCli("print", { content: stdout });
      return { exitCode };
    },
    async reset(params) {
      if (connector.reset) await connector.reset();
      else await call("reset", params);
    },
    async createDatabase() {
      return { databaseName: await connector.createDatabase() };
    },
  };
}
