// The account lifecycle on a real SQLite database: role changes, passwords set by an
// admin or changed by their owner, disabling (sessions end at once), deleting; the last
// enabled admin is kept; every change is audited.
import { beforeAll, describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

const PW = "correct horse battery staple";
const NEW_PW = "a completely different passphrase";
let root = { id: "", username: "root" };

async function user(username: string, role: "admin" | "operator" | "viewer" = "operator") {
  const { addUser } = await import("@/lib/inventory/accounts");
  return addUser(root, { username, password: PW, confirm: PW, role });
}

async function sessionsOf(userId: string) {
  const { listSessions } = await import("@/lib/inventory/sessions");
  return listSessions(userId);
}

async function issue(userId: string) {
  const { issueSession, hashSessionToken } = await import("@/lib/auth/issue-session");
  return hashSessionToken((await issueSession(userId)).token);
}

const lastAudit = async (userId: string, action?: string) =>
  (await (await import("@/lib/db/audit")).listAuditEvents({ targetType: "user", targetId: userId })).find(
    (e) => !action || e.action === action,
  );
const lc = () => import("@/lib/inventory/account-lifecycle");
const signIn = async (username: string, password: string) =>
  (await import("@/lib/inventory/sign-in")).authenticate(username, password, "192.0.2.80");

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  const { runInTransaction } = await import("@/lib/db/client");
  const { createUser } = await import("@/lib/db/users");
  const { hashPassword } = await import("@/lib/secrets/password");
  const hash = await hashPassword(PW);
  const r = await runInTransaction((tx) => createUser(tx, { username: "root", passwordHash: hash, role: "admin" }));
  root = { id: r.id, username: r.username };
});

describe("role changes", () => {
  it("changes a role, audited with before and after", async () => {
    const { changeRole } = await lc();
    const u = await user("ronja", "viewer");
    expect(await changeRole(root, u.id, { role: "operator" })).toMatchObject({ role: "operator" });
    expect(await lastAudit(u.id)).toMatchObject({
      action: "user.role-change",
      actorName: "root",
      before: '{"role":"viewer"}',
      after: '{"role":"operator"}',
    });
  });

  it("refuses a missing or unknown role", async () => {
    const { changeRole } = await lc();
    const u = await user("rolf", "viewer");
    await expect(changeRole(root, u.id, {})).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { role: expect.stringMatching(/Choose a role/) },
    });
    await expect(changeRole(root, u.id, { role: "superuser" })).rejects.toMatchObject({ code: "validation" });
  });

  it("never demotes the last enabled admin", async () => {
    const { changeRole } = await lc();
    await expect(changeRole(root, root.id, { role: "viewer" })).rejects.toMatchObject({ code: "last_admin" });
  });
});

describe("passwords", () => {
  it("an admin sets a new password: the old one stops working and the user's sessions end", async () => {
    const { resetPassword } = await lc();
    const u = await user("paula");
    await issue(u.id);
    await expect(resetPassword(root, u.id, { password: "password1234", confirm: "password1234" })).rejects.toMatchObject({
      fieldErrors: { password: expect.stringMatching(/commonly used/) },
    });
    await resetPassword(root, u.id, { password: NEW_PW, confirm: NEW_PW });
    expect(await sessionsOf(u.id)).toEqual([]);
    await expect(signIn("paula", PW)).rejects.toMatchObject({ code: "bad_credentials" });
    await expect(signIn("paula", NEW_PW)).resolves.toMatchObject({ id: u.id });
    expect(await lastAudit(u.id, "user.password-reset")).toMatchObject({
      actorName: "root",
      summary: "Set a new password for paula (1 sessions ended)",
    });
  });

  it("a user changes their own password with the current one; their other sessions end", async () => {
    const { changeOwnPassword } = await lc();
    const u = await user("olga");
    const me = { id: u.id, username: u.username };
    const current = await issue(u.id);
    await issue(u.id);
    await expect(
      changeOwnPassword(me, current, "192.0.2.81", { current: "not my password", password: NEW_PW, confirm: NEW_PW }),
    ).rejects.toMatchObject({ fieldErrors: { current: "That is not your current password" } });
    await expect(
      changeOwnPassword(me, current, "192.0.2.81", { current: PW, password: "olga-2026-password", confirm: "olga-2026-password" }),
    ).rejects.toMatchObject({ fieldErrors: { password: expect.stringMatching(/user name/) } });
    await changeOwnPassword(me, current, "192.0.2.81", { current: PW, password: NEW_PW, confirm: NEW_PW });
    expect((await sessionsOf(u.id)).map((s) => s.id)).toEqual([current]);
    await expect(signIn("olga", NEW_PW)).resolves.toMatchObject({ id: u.id });
    expect(await lastAudit(u.id, "user.password-change")).toMatchObject({
      actorName: "olga",
      summary: "olga changed their password (1 other sessions ended)",
    });
  });

  it("guessing the current password is delayed like signing in", async () => {
    const { changeOwnPassword } = await lc();
    const u = await user("gus");
    const me = { id: u.id, username: u.username };
    const current = await issue(u.id);
    const tries = [];
    for (let i = 0; i < 7; i++)
      tries.push(
        await changeOwnPassword(me, current, "192.0.2.82", { current: `guess ${i}`, password: NEW_PW, confirm: NEW_PW }).catch(
          (e: { fieldErrors: { current: string } }) => e.fieldErrors.current,
        ),
      );
    expect(tries.at(-1)).toMatch(/Too many wrong passwords/);
  });
});

describe("disabling and deleting", () => {
  it("disabling ends the user's sessions at once and refuses sign-in; re-enabling lets them back", async () => {
    const { setDisabled } = await lc();
    const u = await user("dora");
    await issue(u.id);
    await issue(u.id);
    await setDisabled(root, u.id, true);
    expect(await sessionsOf(u.id)).toEqual([]);
    expect(await lastAudit(u.id)).toMatchObject({ action: "user.disable", summary: "Disabled dora (2 sessions ended)" });
    await expect(signIn("dora", PW)).rejects.toMatchObject({ code: "bad_credentials" });
    await setDisabled(root, u.id, false);
    expect(await lastAudit(u.id)).toMatchObject({ action: "user.enable" });
    await expect(signIn("dora", PW)).resolves.toMatchObject({ id: u.id });
  });

  it("deletes a user, audited; the audit trail keeps the name", async () => {
    const { deleteUser } = await lc();
    const { getUserCredentials } = await import("@/lib/db/users");
    const u = await user("dieter");
    await issue(u.id);
    await deleteUser(root, u.id);
    expect(await getUserCredentials("dieter")).toBeNull();
    expect(await lastAudit(u.id)).toMatchObject({ action: "user.delete", summary: "Deleted user dieter (operator)" });
  });

  it("never disables, deletes or demotes the last enabled admin, nor lets an admin remove themselves", async () => {
    const { changeRole, deleteUser, setDisabled } = await lc();
    const ada = await user("ada", "admin");
    const adaActor = { id: ada.id, username: ada.username };
    await expect(setDisabled(root, root.id, true)).rejects.toMatchObject({ code: "self" });
    await expect(deleteUser(root, root.id)).rejects.toMatchObject({ code: "self" });
    // With ada disabled, root is the only enabled admin: nobody may take root's admin away.
    await setDisabled(root, ada.id, true);
    await expect(setDisabled(adaActor, root.id, true)).rejects.toMatchObject({ code: "last_admin" });
    await expect(deleteUser(adaActor, root.id)).rejects.toMatchObject({ code: "last_admin" });
    await expect(changeRole(adaActor, root.id, { role: "operator" })).rejects.toMatchObject({ code: "last_admin" });
    await deleteUser(root, ada.id);
  });

  it("refuses to remove the last admin even when two admins remove each other at once", async () => {
    const { deleteUser } = await lc();
    const { countAdmins } = await import("@/lib/db/users");
    const a = await user("anna", "admin");
    const b = await user("bert", "admin");
    await deleteUser({ id: a.id, username: "anna" }, root.id);
    const results = await Promise.allSettled([
      deleteUser({ id: a.id, username: "anna" }, b.id),
      deleteUser({ id: b.id, username: "bert" }, a.id),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await countAdmins()).toBe(1);
  });
});
