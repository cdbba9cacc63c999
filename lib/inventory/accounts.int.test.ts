// Sign-in upgrades a password hash made with older, weaker scrypt parameters, on a real
// SQLite database: the stored hash changes to today's parameters and still verifies;
// a current hash or a failed sign-in leaves the row alone.
import { randomBytes, scryptSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

const PASSWORD = "an old but good passphrase";

/** A hash as an earlier release made it: N = 2^15 instead of today's 2^17. */
function weakHash(pw: string): string {
  const salt = randomBytes(16);
  return [
    "scrypt",
    32768,
    8,
    1,
    salt.toString("base64url"),
    scryptSync(pw, salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString("base64url"),
  ].join("$");
}

async function createUserWithHash(username: string, passwordHash: string) {
  const { runInTransaction } = await import("@/lib/db/client");
  const { createUser } = await import("@/lib/db/users");
  return runInTransaction((tx) => createUser(tx, { username, passwordHash, role: "operator" }));
}

const storedHash = async (username: string) => (await (await import("@/lib/db/users")).getUserCredentials(username))!.passwordHash;

describe("authenticate rehashes outdated password hashes", () => {
  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    await freshAppDatabase();
  });

  it("stores a hash with today's parameters after a successful sign-in, and it still verifies", async () => {
    const { authenticate } = await import("@/lib/inventory/sign-in");
    const { passwordNeedsRehash, verifyPassword } = await import("@/lib/secrets/password");
    const old = weakHash(PASSWORD);
    expect(passwordNeedsRehash(old)).toBe(true);
    const user = await createUserWithHash("veteran", old);

    expect(await authenticate("veteran", PASSWORD, "192.0.2.10")).toMatchObject({ id: user.id, username: "veteran" });

    const now = await storedHash("veteran");
    expect(now).not.toBe(old);
    expect(now).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(passwordNeedsRehash(now)).toBe(false);
    expect(await verifyPassword(PASSWORD, now)).toBe(true);
    // And the next sign-in works with it, without writing again.
    await authenticate("veteran", PASSWORD, "192.0.2.10");
    expect(await storedHash("veteran")).toBe(now);
  });

  it("leaves the old hash alone when the password is wrong", async () => {
    const { authenticate } = await import("@/lib/inventory/sign-in");
    const old = weakHash(PASSWORD);
    await createUserWithHash("forgetful", old);
    await expect(authenticate("forgetful", "not the passphrase at all", "192.0.2.11")).rejects.toMatchObject({ code: "bad_credentials" });
    expect(await storedHash("forgetful")).toBe(old);
  });

  it("does not rewrite a hash that already uses today's parameters", async () => {
    const { authenticate } = await import("@/lib/inventory/sign-in");
    const { hashPassword } = await import("@/lib/secrets/password");
    const current = await hashPassword(PASSWORD);
    await createUserWithHash("newcomer", current);
    await authenticate("newcomer", PASSWORD, "192.0.2.12");
    expect(await storedHash("newcomer")).toBe(current);
  });

  it("does not overwrite a password changed since the sign-in read the row", async () => {
    const { replacePasswordHash } = await import("@/lib/db/users");
    const { hashPassword } = await import("@/lib/secrets/password");
    const user = await createUserWithHash("racer", weakHash(PASSWORD));
    const changed = await hashPassword("a brand new passphrase");
    expect(await replacePasswordHash(user.id, await storedHash("racer"), changed)).toBe(true);
    expect(await replacePasswordHash(user.id, "the hash it read before", await hashPassword(PASSWORD))).toBe(false);
    expect(await storedHash("racer")).toBe(changed);
  });
});

describe("new accounts refuse guessable passwords, with the reason on the password field", () => {
  const admin = { id: null, username: "test-admin" };
  it.each([
    ["aaaaaaaaaaaa", /Repeated characters/],
    ["password1234", /commonly used password/],
    ["            ", /only spaces/],
    ["quentin-the-great", /user name/],
  ])("addUser refuses %j and writes nothing", async (password, reason) => {
    const { addUser } = await import("@/lib/inventory/accounts");
    const { getUserCredentials } = await import("@/lib/db/users");
    await expect(addUser(admin, { username: "quentin", password, confirm: password, role: "viewer" })).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { password: expect.stringMatching(reason) },
    });
    expect(await getUserCredentials("quentin")).toBeNull();
  });
});

describe("adding a user", () => {
  const admin = { id: null, username: "test-admin" };
  const pw = "correct horse battery staple";
  it("refuses a missing role instead of making an admin", async () => {
    const { addUser } = await import("@/lib/inventory/accounts");
    const { getUserCredentials } = await import("@/lib/db/users");
    await expect(addUser(admin, { username: "rolando", password: pw, confirm: pw })).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { role: expect.stringMatching(/Choose a role/) },
    });
    await expect(addUser(admin, { username: "rolando", password: pw, confirm: pw, role: "root" })).rejects.toMatchObject({
      fieldErrors: { role: expect.stringMatching(/Choose a role/) },
    });
    expect(await getUserCredentials("rolando")).toBeNull();
    expect(await addUser(admin, { username: "rolando", password: pw, confirm: pw, role: "operator" })).toMatchObject({ role: "operator" });
  });
});
