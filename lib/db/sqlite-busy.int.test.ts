// SQLite's busy timeout: a write that finds another process holding the database's
// write lock waits for it (as long as a transaction may take) instead of failing with
// SQLITE_BUSY after better-sqlite3's default 5 s (lib/db/client.ts).
import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

let dataDir = "";
beforeAll(async () => {
  ({ dataDir } = await freshAppDatabase());
});

describe("SQLite write lock held by another process", () => {
  it("a write waits for it (up to the busy timeout) instead of failing with SQLITE_BUSY after 5 s", async () => {
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

describe("SQLite write conflict", () => {
  it("a transaction that read, then finds another process committing, is rolled back and run again instead of failing", async () => {
    const { getDb, runInTransaction } = await import("@/lib/db/client");
    let attempts = 0;
    let other: ReturnType<typeof spawn> | null = null;
    await runInTransaction(async (tx) => {
      attempts++;
      await tx.site.count(); // a read: this transaction holds SQLite's shared lock
      if (attempts === 1) {
        // Another process takes the write lock and commits, which waits for our shared lock:
        // our write cannot wait for it (each would wait for the other), so SQLite answers
        // SQLITE_BUSY at once, whatever the busy timeout (https://sqlite.org/c3ref/busy_handler.html).
        other = spawn(
          process.execPath,
          [
            "-e",
            `const db = new (require("better-sqlite3"))(process.argv[1], { timeout: 10000 }); db.exec("BEGIN IMMEDIATE"); db.prepare("INSERT INTO Site (id, name, description, createdAt, updatedAt) VALUES ('other-writer', 'Written by the other process', '', 0, 0)").run(); process.stdout.write("reserved\\n"); db.exec("COMMIT"); process.exit(0);`,
            path.join(dataDir, "gatewarden.db"),
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        await new Promise((resolve) => other!.stdout!.once("data", resolve));
        await new Promise((resolve) => setTimeout(resolve, 300)); // it is in COMMIT, waiting for us
      }
      await tx.site.create({ data: { name: "Written after the conflict" } });
    });
    await new Promise((resolve) => (other!.exitCode !== null ? resolve(null) : other!.once("exit", resolve)));
    expect(other!.exitCode).toBe(0);
    expect(attempts).toBe(2);
    expect(await getDb().site.count({ where: { name: { in: ["Written after the conflict", "Written by the other process"] } } })).toBe(2);
  });
});
