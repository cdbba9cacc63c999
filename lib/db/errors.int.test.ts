// What a real database throws when a write loses a race arrives, through lib/db, as the
// neutral error the app handles (lib/db/errors.ts) — on SQLite and on PostgreSQL.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";
import { freshPgDatabase, type TempPgDatabase } from "@/e2e/support/pg-db";

describe.each(["sqlite", "postgres"] as const)("database errors on %s", (provider) => {
  let pg: TempPgDatabase | null = null;

  beforeAll(async () => {
    vi.resetModules();
    delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
    if (provider === "postgres") {
      pg = await freshPgDatabase("gatewarden_errors_test");
      process.env.DATABASE_URL = pg.url;
      process.env.GATEWARDEN_DATA_DIR = mkdtempSync(path.join(tmpdir(), "gatewarden-int-"));
    } else {
      delete process.env.DATABASE_URL;
      await freshAppDatabase();
    }
  });

  afterAll(async () => {
    const { getDb } = await import("@/lib/db/client");
    await getDb().$disconnect();
    delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
    delete process.env.DATABASE_URL;
    await pg?.drop();
  });

  it("a taken unique value is a UniqueViolation, a lost write race", async () => {
    const { runInTransaction } = await import("@/lib/db/client");
    const { createUser } = await import("@/lib/db/users");
    const { isLostWriteRace, toNeutralDbError, UniqueViolation } = await import("@/lib/db/errors");
    const add = () => runInTransaction((tx) => createUser(tx, { username: "twice", passwordHash: "x", role: "viewer" }));
    await add();
    const error = await add().then(
      () => null,
      (e: unknown) => e,
    );
    expect(toNeutralDbError(error)).toBeInstanceOf(UniqueViolation);
    expect(isLostWriteRace(error)).toBe(true);
  });

  it("a gateway lock another job holds is refused, not thrown", async () => {
    const { acquireGatewayLocks } = await import("@/lib/db/jobs");
    expect(await acquireGatewayLocks(["gw-a", "gw-b"], "job-1", "instance-1", 60_000)).toBe(true);
    expect(await acquireGatewayLocks(["gw-b", "gw-c"], "job-2", "instance-1", 60_000)).toBe(false);
  });
});
