// Runs the Prisma CLI against Gatewarden's database: chooses the provider the way the
// app does (lib/config/env.ts), and sets up what Prisma needs on a machine that cannot
// reach Prisma's binary host (our schema-engine shim). Used by scripts/prisma.mjs,
// scripts/prisma-migrate.mjs and the migration tests.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import dotenv from "dotenv";

export const projectRoot = path.resolve(import.meta.dirname, "..");
const prismaCli = path.join(projectRoot, "node_modules/prisma/build/index.js");
const schemaEngineShim = path.join(projectRoot, "scripts/prisma-schema-engine.mjs");

/**
 * `env` plus the project's .env underneath it (set variables win), as Next.js and
 * prisma.config.ts read it, so `npm start` migrates the database the app will open.
 */
export function withDotenv(env) {
  const file = path.join(projectRoot, ".env");
  return existsSync(file) ? { ...dotenv.parse(readFileSync(file)), ...env } : { ...env };
}

/** Which database a given environment means: postgres://…, file:…, or the default SQLite file. */
export function resolveDatabase(env) {
  const dataDir = path.resolve(env.GATEWARDEN_DATA_DIR?.trim() || "./data");
  const given = env.DATABASE_URL?.trim() ?? "";
  if (given && !/^postgres(ql)?:\/\//.test(given) && !given.startsWith("file:")) {
    throw new Error("DATABASE_URL: use postgresql://… or file:… (or leave it unset for the embedded SQLite database)");
  }
  const provider = given && !given.startsWith("file:") ? "postgres" : "sqlite";
  // Relative SQLite paths resolve from the current directory, as in the app; made
  // absolute because Prisma runs the schema engine from another directory.
  const sqliteFile = provider === "sqlite" && path.resolve(given ? given.slice("file:".length) : path.join(dataDir, "gatewarden.db"));
  return {
    provider,
    url: sqliteFile ? `file:${sqliteFile}` : given,
    sqliteDir: sqliteFile ? path.dirname(sqliteFile) : undefined,
    schemaPath: path.join(projectRoot, "prisma", provider, "schema.prisma"),
    migrationsPath: path.join(projectRoot, "prisma", provider, "migrations"),
  };
}

/** The environment the Prisma CLI runs with (DATABASE_URL made explicit for prisma.config.ts). */
export function prismaEnv(env, database = resolveDatabase(env)) {
  return {
    ...env,
    ...(database ? { DATABASE_URL: database.url } : {}),
    PRISMA_SCHEMA_ENGINE_BINARY: schemaEngineShim,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
}

/**
 * Runs `prisma <args>` for the database `env` selects. `generate` runs once per schema
 * (the app imports both clients). Resolves with { code, output }; output is captured
 * only when `capture` is set, otherwise it goes to this process's stdout/stderr.
 */
export async function runPrisma(args, { env: givenEnv = process.env, capture = false } = {}) {
  const env = withDotenv(givenEnv);
  if (args[0] === "generate") {
    // Needs no database, so a DATABASE_URL the app would reject does not break `npm ci`.
    let output = "";
    for (const provider of ["sqlite", "postgres"]) {
      const schema = path.join(projectRoot, "prisma", provider, "schema.prisma");
      const result = await spawnPrisma([...args, "--schema", schema], prismaEnv(env, null), capture);
      output += result.output;
      if (result.code !== 0) return { code: result.code, output };
    }
    return { code: 0, output };
  }
  const database = resolveDatabase(env);
  if (database.sqliteDir) mkdirSync(database.sqliteDir, { recursive: true, mode: 0o700 });
  const withSchema = args.includes("--schema") || !takesSchema(args) ? args : [...args, "--schema", database.schemaPath];
  return spawnPrisma(withSchema, prismaEnv(env, database), capture);
}

// Commands that accept --schema (`migrate diff` names its inputs, `db execute` and
// `db seed` take none). prisma.config.ts picks the same schema; passing it keeps the
// choice visible in the command line Prisma echoes.
function takesSchema(args) {
  const [command, sub] = args;
  if (command === "migrate") return sub !== "diff";
  if (command === "db") return sub === "push" || sub === "pull";
  return ["validate", "format", "studio"].includes(command);
}

function spawnPrisma(args, env, capture) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, ...args], {
      cwd: projectRoot,
      env,
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let output = "";
    if (capture) {
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
    }
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}
