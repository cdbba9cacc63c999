// The parallel-burst check of sign-in.int.test.ts on PostgreSQL, where the attempts'
// transactions really run at once: serializable isolation aborts all but one of those
// that counted the same earlier attempts, and they retry, so the burst still gets no
// more password checks than the delays allow. Needs scripts/pg-setup.sh.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshPgDatabase, type TempPgDatabase } from "@/e2e/support/pg-db";

const PASSWORD = "carol's long passphrase here";
const T0 = new Date("2026-03-01T09:00:00Z");
let db: TempPgDatabase;

const signIn = async (username: string, password: string, client: string) =>
  (await import("@/lib/inventory/sign-in")).authenticate(username, password, client);
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "signed-in",
    (e: { code?: string }) => e.code ?? String(e),
  );

beforeAll(async () => {
  db = await freshPgDatabase();
  process.env.DATABASE_URL = db.url;
  process.env.GATEWARDEN_DATA_DIR = mkdtempSync(path.join(tmpdir(), "gatewarden-int-"));
  process.env.LOG_LEVEL ??= "error";
  const { runInTransaction } = await import("@/lib/db/client");
  const { createUser } = await import("@/lib/db/users");
  const { hashPassword } = await import("@/lib/secrets/password");
  const passwordHash = await hashPassword(PASSWORD);
  for (const username of ["carol", "dave"]) await runInTransaction((tx) => createUser(tx, { username, passwordHash, role: "operator" }));
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
});

afterAll(async () => {
  vi.useRealTimers();
  await (await import("@/lib/db/client")).getDb().$disconnect();
  await db?.drop();
});

describe("200 parallel wrong sign-ins on PostgreSQL", () => {
  it("check at most the five free attempts; the right password waits for the delay; others are not touched", async () => {
    const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => outcome(signIn("carol", `guess ${i}`, "203.0.113.60"))));
    const checked = burst.filter((o) => o === "bad_credentials").length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(5);
    const others = burst.filter((o) => o !== "bad_credentials" && o !== "rate_limited");
    expect(others).toEqual([]);

    if (checked === 5) await expect(signIn("carol", PASSWORD, "203.0.113.60")).rejects.toMatchObject({ code: "rate_limited" });
    await expect(signIn("dave", PASSWORD, "198.51.100.20")).resolves.toMatchObject({ username: "dave" });
    await expect(signIn("carol", PASSWORD, "198.51.100.21")).resolves.toMatchObject({ username: "carol" });
    vi.setSystemTime(new Date(T0.getTime() + 1_000));
    await expect(signIn("carol", PASSWORD, "203.0.113.60")).resolves.toMatchObject({ username: "carol" });
  });
});
