import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { deriveKeyId, KEY_FILE_NAME, keyFileVersion, loadKeyring, rotateMasterKey } from "./keyring";
import { decryptSecret, encryptSecret, needsReencryption } from "./envelope";
import { SecretError } from "./errors";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gw-keyring-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const key = randomBytes(32);

function errorOf(fn: () => unknown): SecretError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretError);
    return e as SecretError;
  }
  throw new Error("expected a SecretError");
}

describe("loadKeyring from the environment", () => {
  it.each([
    ["base64", key.toString("base64")],
    ["base64 without padding", key.toString("base64").replace(/=$/, "")],
    ["base64url", key.toString("base64url")],
    ["hex", key.toString("hex")],
    ["hex with a trailing newline", `${key.toString("hex")}\n`],
  ])("accepts %s and derives the id from the key", (_, value) => {
    const ring = loadKeyring({ env: { GATEWARDEN_SECRET_KEY: value }, dataDir: dir });
    expect(ring.currentId).toBe(deriveKeyId(key));
    expect(ring.currentId).toMatch(/^[0-9a-f]{8}$/);
    expect(ring.keys.get(ring.currentId)?.equals(key)).toBe(true);
    expect(fs.existsSync(path.join(dir, KEY_FILE_NAME))).toBe(false);
  });

  it.each(["short", randomBytes(16).toString("base64"), randomBytes(31).toString("hex"), `${"z".repeat(64)}`])(
    "rejects %j with a clear error that does not echo the value",
    (value) => {
      const e = errorOf(() => loadKeyring({ env: { GATEWARDEN_SECRET_KEY: value } }));
      expect(e.code).toBe("bad-key");
      expect(e.message).toMatch(/32 random bytes as base64 .* or hex/);
      expect(e.message).not.toContain(value);
    },
  );

  it("uses GATEWARDEN_SECRET_KEY_ID and previous keys", () => {
    const old = randomBytes(32);
    const ring = loadKeyring({
      env: {
        GATEWARDEN_SECRET_KEY: key.toString("base64"),
        GATEWARDEN_SECRET_KEY_ID: "2025-06",
        GATEWARDEN_PREVIOUS_SECRET_KEYS: ` 2024-01:${old.toString("base64")} ,`,
      },
    });
    expect(ring.currentId).toBe("2025-06");
    expect(ring.keys.get("2024-01")?.equals(old)).toBe(true);
    const envOld = encryptSecret("v", { currentId: "2024-01", keys: new Map([["2024-01", old]]) });
    expect(decryptSecret(envOld, ring)).toBe("v");
  });

  it.each([
    ["an id with a dot", { GATEWARDEN_SECRET_KEY_ID: "a.b" }, /SECRET_KEY_ID/],
    ["a previous entry without id", { GATEWARDEN_PREVIOUS_SECRET_KEYS: randomBytes(32).toString("base64") }, /id:base64key/],
    ["a previous entry with a bad key", { GATEWARDEN_PREVIOUS_SECRET_KEYS: "old:abc" }, /entry 1 must be 32/],
    [
      "a reused id",
      { GATEWARDEN_SECRET_KEY_ID: "x", GATEWARDEN_PREVIOUS_SECRET_KEYS: `x:${randomBytes(32).toString("base64")}` },
      /reuses key id/,
    ],
  ])("rejects %s", (_, extra, m) => {
    const e = errorOf(() => loadKeyring({ env: { GATEWARDEN_SECRET_KEY: key.toString("base64"), ...extra } }));
    expect(e.message).toMatch(m);
  });

  it("needs a key or a data directory", () => {
    expect(errorOf(() => loadKeyring({ env: {} })).message).toMatch(/GATEWARDEN_SECRET_KEY/);
  });
});

describe("loadKeyring from <dataDir>/secret.key", () => {
  it("creates a private key file once and reads the same key afterwards", () => {
    const sub = path.join(dir, "data");
    expect(errorOf(() => loadKeyring({ env: {}, dataDir: sub })).message).toMatch(/no master key/);
    const first = loadKeyring({ env: {}, dataDir: sub, create: true });
    const file = path.join(sub, KEY_FILE_NAME);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(json.currentId).toBe(first.currentId);
    const second = loadKeyring({ env: {}, dataDir: sub });
    expect(second.currentId).toBe(first.currentId);
    expect(second.keys.get(first.currentId)?.equals(first.keys.get(first.currentId)!)).toBe(true);
    expect(fs.readdirSync(sub)).toEqual([KEY_FILE_NAME]); // no temp files left behind
  });

  it.each([0o640, 0o604, 0o644, 0o660])("refuses a key file with mode %o", (mode) => {
    loadKeyring({ env: {}, dataDir: dir, create: true });
    const file = path.join(dir, KEY_FILE_NAME);
    fs.chmodSync(file, mode);
    const e = errorOf(() => loadKeyring({ env: {}, dataDir: dir }));
    expect(e.code).toBe("key-file");
    expect(e.message).toContain(`chmod 600 ${file}`);
  });

  it.each([
    ["not JSON", "nope"],
    ["missing current key", JSON.stringify({ currentId: "a", keys: { b: randomBytes(32).toString("base64") } })],
    ["a short key", JSON.stringify({ currentId: "a", keys: { a: "AAAA" } })],
  ])("refuses a key file that is %s", (_, content) => {
    fs.writeFileSync(path.join(dir, KEY_FILE_NAME), content, { mode: 0o600 });
    expect(() => loadKeyring({ env: {}, dataDir: dir })).toThrow(SecretError);
  });
});

describe("rotateMasterKey", () => {
  const keyFile = () => path.join(dir, KEY_FILE_NAME);

  it("adds a new current key and keeps old ones for decryption", async () => {
    const before = loadKeyring({ env: {}, dataDir: dir, create: true });
    const sealed = encryptSecret("tunnel psk", before, "psk:t1");
    const { previous, next, result } = await rotateMasterKey(dir, async (ring) => {
      // Re-encryption gets a ring that encrypts with the new key and decrypts the old.
      expect(ring.currentId).not.toBe(before.currentId);
      expect(decryptSecret(sealed, ring, "psk:t1")).toBe("tunnel psk");
      return "re-encrypted";
    });
    expect(result).toBe("re-encrypted");
    expect(previous.currentId).toBe(before.currentId);
    expect(next.keys.size).toBe(2);
    const reloaded = loadKeyring({ env: {}, dataDir: dir });
    expect(reloaded.currentId).toBe(next.currentId);
    expect(reloaded.keys.get(before.currentId)?.equals(before.keys.get(before.currentId)!)).toBe(true);
    expect(decryptSecret(sealed, reloaded, "psk:t1")).toBe("tunnel psk");
    expect(needsReencryption(sealed, reloaded)).toBe(true);
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([KEY_FILE_NAME]);
  });

  it("has the new key in the file, not yet current, while re-encrypting", async () => {
    const before = loadKeyring({ env: {}, dataDir: dir, create: true });
    await rotateMasterKey(dir, async (ring) => {
      const during = loadKeyring({ env: {}, dataDir: dir });
      expect(during.currentId).toBe(before.currentId);
      expect(during.keys.get(ring.currentId)?.equals(ring.keys.get(ring.currentId)!)).toBe(true);
    });
  });

  it("puts the file back as it was when re-encryption fails, and rethrows", async () => {
    loadKeyring({ env: {}, dataDir: dir, create: true });
    const content = fs.readFileSync(keyFile(), "utf8");
    const failure = new Error("transaction rolled back");
    await expect(rotateMasterKey(dir, async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(fs.readFileSync(keyFile(), "utf8")).toBe(content);
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([KEY_FILE_NAME]); // lock released, no temp files
  });

  it("changes keyFileVersion each time it rewrites the file", async () => {
    loadKeyring({ env: {}, dataDir: dir, create: true });
    const versions = [keyFileVersion(dir)];
    await rotateMasterKey(dir, async () => {
      versions.push(keyFileVersion(dir));
    });
    versions.push(keyFileVersion(dir));
    expect(new Set(versions).size).toBe(3);
    expect(keyFileVersion(path.join(dir, "nowhere"))).toBeNull();
  });

  it("refuses when there is no key file: no key, nothing to rotate", async () => {
    await expect(rotateMasterKey(dir, async () => undefined)).rejects.toThrow(/does not exist, so there is no master key to rotate/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("refuses while another rotation holds the lock", async () => {
    loadKeyring({ env: {}, dataDir: dir, create: true });
    fs.writeFileSync(`${keyFile()}.lock`, "");
    await expect(rotateMasterKey(dir, async () => undefined)).rejects.toThrow(/Another key rotation/);
  });
});
