// For integration tests that use the app's lib/ directly: a fresh, migrated SQLite
// database in a temporary data directory (or PostgreSQL when DATABASE_URL says so),
// built-in profiles, and an admin to act as.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error plain ESM script without types
import { migrateDeploy } from "../../scripts/prisma-migrate.mjs";

export async function freshAppDatabase(): Promise<{ dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "gatewarden-int-"));
  process.env.GATEWARDEN_DATA_DIR = dataDir;
  // Job logs go to the database; the tests read them there.
  process.env.LOG_LEVEL ??= "error";
  await migrateDeploy({ env: process.env });
  const { ensureBuiltInProfiles } = await import("@/lib/db/crypto-profiles");
  await ensureBuiltInProfiles();
  return { dataDir };
}

export async function createAdmin(): Promise<{ id: string; username: string }> {
  const { createFirstAdmin } = await import("@/lib/inventory/accounts");
  const { issueSetupCode } = await import("@/lib/inventory/setup-code");
  const pw = "integration test password";
  // A test is the server's operator: it issues itself the code a server would print.
  const user = await createFirstAdmin({ setupCode: await issueSetupCode(), username: "admin", password: pw, confirm: pw });
  return { id: user.id, username: user.username };
}
