import { describe, expect, it } from "vitest";
import { hashPassword, passwordNeedsRehash, passwordSchema, verifyPassword, verifyPasswordForUnknownUser } from "./password";

// Each check costs 128 MiB and a few hundred ms of one core by design (OWASP scrypt);
// on a loaded 2-core machine a test of four checks can pass 5 s, which says nothing
// about the code. The time each check takes is a benchmark matter, not a test one.
describe("hashPassword / verifyPassword", { timeout: 30_000 }, () => {
  it("verifies the right password and rejects others", async () => {
    const stored = await hashPassword("correct horse battery");
    // N = 2^17, r = 8, p = 1: OWASP's scrypt recommendation (128 MiB per check).
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
    expect(stored).not.toContain("correct");
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("treats composed and decomposed Unicode as the same password", async () => {
    const stored = await hashPassword("caf\u00e9-password-1");
    expect(await verifyPassword("cafe\u0301-password-1", stored)).toBe(true);
  });

  it.each([
    "",
    "plain",
    "bcrypt$1$2$3$4$5",
    "scrypt$32768$8$1$$",
    "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "scrypt$32768$999$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  ])("returns false for an unusable stored hash %j", async (stored) => {
    expect(await verifyPassword("anything-at-all", stored)).toBe(false);
  });

  it("accepts hashes made with other valid parameters", async () => {
    const stored = await hashPassword("rehash-me-please");
    const [, , , , salt] = stored.split("$");
    const { scryptSync } = await import("node:crypto");
    const weak = `scrypt$16384$8$1$${salt}$${scryptSync("rehash-me-please", Buffer.from(salt!, "base64url"), 32, { N: 16384 }).toString("base64url")}`;
    expect(await verifyPassword("rehash-me-please", weak)).toBe(true);
    expect(passwordNeedsRehash(weak)).toBe(true);
    expect(passwordNeedsRehash(stored)).toBe(false);
  });

  it("still verifies the hashes earlier releases stored (N = 2^15), and asks for a rehash", async () => {
    const { randomBytes, scryptSync } = await import("node:crypto");
    const salt = randomBytes(16);
    const previous = `scrypt$32768$8$1$${salt.toString("base64url")}$${scryptSync("last year's password", salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString("base64url")}`;
    expect(await verifyPassword("last year's password", previous)).toBe(true);
    expect(await verifyPassword("last year's passwort", previous)).toBe(false);
    expect(passwordNeedsRehash(previous)).toBe(true);
  });

  it("has a dummy check for unknown users", async () => {
    expect(await verifyPasswordForUnknownUser("whatever")).toBe(false);
  });
});

describe("passwordSchema", () => {
  it.each(["twelve chars", "x".repeat(256)])("accepts %j", (s) => expect(passwordSchema.safeParse(s).success).toBe(true));
  it.each([
    ["eleven char", /at least 12/],
    ["x".repeat(257), /at most 256/],
  ])("rejects %j", (s, m) => expect(passwordSchema.safeParse(s).error?.issues[0]?.message).toMatch(m));
});
