// Sessions on a real SQLite database: a sign-in replaces the browser's old session, an
// unused session ends after the idle timeout, and sessions can be ended by their user
// (the others) and by an admin (all), audited.
import { beforeAll, describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

const IDLE_MS = 30 * 60_000; // GATEWARDEN_SESSION_IDLE_MINUTES' default
let userId = "";
let bossId = "";

async function issue(replacing?: string) {
  const { issueSession } = await import("@/lib/auth/issue-session");
  return (await issueSession(userId, { clientAddress: "198.51.100.5", userAgent: "Test browser" }, replacing)).token;
}

async function active(token: string, at = new Date()) {
  const { findActiveSession } = await import("@/lib/db/sessions");
  const { hashSessionToken } = await import("@/lib/auth/issue-session");
  return findActiveSession(hashSessionToken(token), at, IDLE_MS);
}

const idOf = async (token: string) => (await import("@/lib/auth/issue-session")).hashSessionToken(token);
const actor = async () => ({ id: userId, username: "sam" });

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  delete process.env.GATEWARDEN_SESSION_IDLE_MINUTES;
  await freshAppDatabase();
  const { runInTransaction } = await import("@/lib/db/client");
  const { createUser } = await import("@/lib/db/users");
  userId = (await runInTransaction((tx) => createUser(tx, { username: "sam", passwordHash: "scrypt$unused", role: "operator" }))).id;
  bossId = (await runInTransaction((tx) => createUser(tx, { username: "boss", passwordHash: "scrypt$unused", role: "admin" }))).id;
});

describe("sessions", () => {
  it("signing in again on a browser ends its previous session", async () => {
    const first = await issue();
    expect(await active(first)).toMatchObject({
      user: { id: userId },
      session: { clientAddress: "198.51.100.5", userAgent: "Test browser" },
    });
    const second = await issue(first);
    expect(await active(first)).toBeNull();
    expect(await active(second)).not.toBeNull();
  });

  it("ends a session unused for the idle timeout, and activity keeps it going", async () => {
    const { touchSession } = await import("@/lib/db/sessions");
    const token = await issue();
    const start = Date.now();
    expect(await active(token, new Date(start + IDLE_MS - 5_000))).not.toBeNull();
    await touchSession(await idOf(token), new Date(start + IDLE_MS - 5_000));
    expect(await active(token, new Date(start + IDLE_MS + 60_000))).not.toBeNull();
    expect(await active(token, new Date(start + 2 * IDLE_MS))).toBeNull();
    // Ended for good: the row is gone, not just hidden.
    expect(await active(token, new Date(start))).toBeNull();
  });

  it("lets a user end one other session, or all but the current one, audited", async () => {
    const { endOtherSessions, endOwnSession, listSessions } = await import("@/lib/inventory/sessions");
    const { deleteUserSessions } = await import("@/lib/db/sessions");
    const { getDb } = await import("@/lib/db/client");
    await deleteUserSessions(getDb(), userId);
    const [current, laptop, phone] = [await issue(), await issue(), await issue()];
    expect((await listSessions(userId)).map((s) => s.id).sort()).toEqual(
      [await idOf(current), await idOf(laptop), await idOf(phone)].sort(),
    );

    await expect(endOwnSession(await actor(), await idOf(current), await idOf(current))).rejects.toMatchObject({ code: "current_session" });
    await endOwnSession(await actor(), await idOf(laptop), await idOf(current));
    expect(await active(laptop)).toBeNull();
    expect(await endOtherSessions(await actor(), await idOf(current))).toBe(1);
    expect(await active(phone)).toBeNull();
    expect(await active(current)).not.toBeNull();

    const { listAuditEvents } = await import("@/lib/db/audit");
    const actions = (await listAuditEvents({ targetType: "user", targetId: userId })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["user.session-end", "user.sessions-end"]));
  });

  it("lets an admin end all of a user's sessions, audited", async () => {
    const { endUserSessions } = await import("@/lib/inventory/sessions");
    const tokens = [await issue(), await issue()];
    const result = await endUserSessions({ id: bossId, username: "boss" }, userId);
    expect(result.ended).toBeGreaterThanOrEqual(2);
    for (const t of tokens) expect(await active(t)).toBeNull();
    const { listAuditEvents } = await import("@/lib/db/audit");
    const [event] = await listAuditEvents({ targetType: "user", targetId: userId });
    expect(event).toMatchObject({ action: "user.sessions-end", actorName: "boss" });
  });
});
