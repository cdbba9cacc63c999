// Guards the offline Prisma setup (scripts/prisma-schema-engine.mjs leans on Prisma
// internals): on a fresh SQLite file and a fresh PostgreSQL database, the committed
// migrations deploy, `migrate status` agrees, neither the migrations nor the migrated
// database drift from the schema, and the generated client reads and writes.
// PostgreSQL needs scripts/pg-setup.sh to have run; without it this FAILS on purpose.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../lib/generated/sqlite/client";
import { PrismaClient as PgClient } from "../lib/generated/postgres/client";

const root = path.resolve(import.meta.dirname, "..");
const PG_URL = process.env.GATEWARDEN_TEST_PG_URL ?? "postgresql://gatewarden:gatewarden@127.0.0.1:5432/gatewarden";

type Run = { code: number; output: string };

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const prisma = (args: string[], env: NodeJS.ProcessEnv) => run(["scripts/prisma.mjs", ...args], env);

async function migrateDeploy(env: NodeJS.ProcessEnv): Promise<string> {
  // The app's start script calls this; a plain import would need type declarations.
  const mod = await import(pathToFileURL(path.join(root, "scripts/prisma-migrate.mjs")).href);
  return mod.migrateDeploy({ env });
}

function migrationChecks(provider: "sqlite" | "postgres", env: () => NodeJS.ProcessEnv) {
  it("migrate deploy applies the committed migrations to a fresh database", async () => {
    const output = await migrateDeploy(env());
    expect(output).toMatch(/_init/);
    expect(output).toMatch(/successfully applied/);
  });

  it("the migrations produce exactly the schema (no drift)", async () => {
    const diff = await prisma(
      [
        "migrate",
        "diff",
        "--from-migrations",
        `prisma/${provider}/migrations`,
        "--to-schema",
        `prisma/${provider}/schema.prisma`,
        "--exit-code",
      ],
      env(),
    );
    expect(diff.output).toMatch(/No difference detected/);
    expect(diff.code).toBe(0);
  });

  it("migrate status says up to date, and the database matches the schema", async () => {
    const status = await prisma(["migrate", "status"], env());
    expect(status.output).toMatch(/Database schema is up to date/);
    expect(status.code).toBe(0);

    const diff = await prisma(
      ["migrate", "diff", "--from-config-datasource", "--to-schema", `prisma/${provider}/schema.prisma`, "--exit-code"],
      env(),
    );
    expect(diff.output).toMatch(/No difference detected/);
    expect(diff.code).toBe(0);
  });

  it("a second migrate deploy has nothing to do", async () => {
    expect(await migrateDeploy(env())).toMatch(/No pending migrations/);
  });
}

describe("Prisma schemas", () => {
  it("prisma/{sqlite,postgres}/schema.prisma are in sync with prisma/models.prisma.part", async () => {
    const check = await run(["scripts/prisma-schemas.mjs", "--check"], process.env);
    expect(check.output).toBe("");
    expect(check.code).toBe(0);
  });
});

describe("SQLite migrations", () => {
  let dir: string;
  // DATABASE_URL "" (not unset, or dotenv would fill it from .env): the default file.
  const env = () => ({ ...process.env, DATABASE_URL: "", GATEWARDEN_DATA_DIR: path.join(dir, "data") });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "gatewarden-migrate-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  migrationChecks("sqlite", env);

  it("the generated client writes and reads a Site", async () => {
    const url = `file:${path.join(dir, "data", "gatewarden.db")}`;
    const db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url }) });
    try {
      const created = await db.site.create({ data: { name: "hq", description: "head office" } });
      const read = await db.site.findUniqueOrThrow({ where: { name: "hq" } });
      expect(read).toMatchObject({ id: created.id, name: "hq", description: "head office" });
    } finally {
      await db.$disconnect();
    }
  });
});

describe("PostgreSQL migrations", () => {
  const database = `gatewarden_migrate_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let url = "";
  let created = false;
  const env = () => ({ ...process.env, DATABASE_URL: url });

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    try {
      await admin((client) => client.query(`CREATE DATABASE "${database}"`));
    } catch (error) {
      throw new Error(
        `PostgreSQL is not reachable as ${PG_URL.replace(/:[^:@/]*@/, ":***@")} (${String(error)}). ` +
          "Run scripts/pg-setup.sh (as root) first; CI runs it before the integration tests.",
      );
    }
    created = true;
    const u = new URL(PG_URL);
    u.pathname = `/${database}`;
    url = u.toString();
  });
  afterAll(async () => {
    if (created) await admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  });

  migrationChecks("postgres", env);

  it("the generated client writes and reads a Site", async () => {
    const db = new PgClient({ adapter: new PrismaPg({ connectionString: url }) });
    try {
      const site = await db.site.create({ data: { name: "hq", description: "head office" } });
      const read = await db.site.findUniqueOrThrow({ where: { name: "hq" } });
      expect(read).toMatchObject({ id: site.id, name: "hq", description: "head office" });
    } finally {
      await db.$disconnect();
    }
  });
});
