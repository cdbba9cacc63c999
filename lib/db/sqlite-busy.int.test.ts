// SQLite's busy timeout: a write that finds another process holding the database's
// write lock waits for it (as long as a transaction may take) instead of failing with
// SQLITE_BUSY after better-sqlite3's default 5 s (lib/db/client.ts).
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

describe("SQLite write lock held by another process", () => {
  it("a write waits for it (up to the busy timeout) instead of failing with SQLITE_BUSY after 5 s", async () => {
    const { dataDir } = await freshAppDatabase();
    const { getDb, runInTransaction, SQLITE_BUSY_WAIT_MS } = await import("@/lib/db/client");
    await getDb().site.count(); // the client is open before the other process takes the lock
    // Another process (keys:rotate, an e2e helper) holds the write lock for 7 s.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const db = new (require("better-sqlite3"))(process.argv[1]); db.exec("BEGIN IMMEDIATE"); process.stdout.write("locked\\n"); setTimeout(() => { db.exec("COMMIT"); process.exit(0); }, 7000);`,
        path.join(dataDir, "gatewarden.db"),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise((resolve) => holder.stdout!.once("data", resolve));
    const started = Date.now();
    await runInTransaction((tx) => tx.site.create({ data: { name: "Written after the lock" } }));
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThan(5_000); // it did wait past better-sqlite3's default
    expect(waited).toBeLessThan(SQLITE_BUSY_WAIT_MS);
    expect(await getDb().site.count({ where: { name: "Written after the lock" } })).toBe(1);
  });
});
