// Master keys for encrypting secrets at rest: from the environment, or from
// <dataDir>/secret.key which is created on first start. Older keys stay in the ring
// so values encrypted before a rotation still decrypt.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { SecretError } from "./errors";

export type Keyring = { currentId: string; keys: Map<string, Buffer> };

export const KEY_FILE_NAME = "secret.key";
const KEY_BYTES = 32;
// Ids go into the dot-separated envelope and the comma/colon-separated env list.
const KEY_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;
const HEX_KEY_RE = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY_RE = /^[A-Za-z0-9+/_-]{43}=?$/;

export function deriveKeyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

/** 32 bytes from hex (64 chars) or base64/base64url (43–44 chars). `what` names the source; the value is never echoed. */
export function decodeMasterKey(text: string, what: string): Buffer {
  const t = text.trim();
  const key = HEX_KEY_RE.test(t)
    ? Buffer.from(t, "hex")
    : BASE64_KEY_RE.test(t)
      ? Buffer.from(t, t.includes("-") || t.includes("_") ? "base64url" : "base64")
      : undefined;
  if (!key || key.length !== KEY_BYTES) {
    throw new SecretError(
      "bad-key",
      `${what} must be ${KEY_BYTES} random bytes as base64 (44 characters) or hex (64 characters); ` +
        "generate one with `openssl rand -base64 32`",
    );
  }
  return key;
}

function checkKeyId(id: string, what: string): string {
  if (!KEY_ID_RE.test(id)) {
    throw new SecretError("bad-key", `${what} must be 1–32 characters of letters, digits, _ or -`);
  }
  return id;
}

type Env = Record<string, string | undefined>;

function keyringFromEnv(env: Env, secret: string): Keyring {
  const current = decodeMasterKey(secret, "GATEWARDEN_SECRET_KEY");
  const currentId = env.GATEWARDEN_SECRET_KEY_ID?.trim()
    ? checkKeyId(env.GATEWARDEN_SECRET_KEY_ID.trim(), "GATEWARDEN_SECRET_KEY_ID")
    : deriveKeyId(current);
  const keys = new Map<string, Buffer>([[currentId, current]]);
  const previous = (env.GATEWARDEN_PREVIOUS_SECRET_KEYS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const [i, entry] of previous.entries()) {
    const what = `GATEWARDEN_PREVIOUS_SECRET_KEYS entry ${i + 1}`;
    const colon = entry.indexOf(":");
    if (colon < 1) throw new SecretError("bad-key", `${what} must look like id:base64key`);
    const id = checkKeyId(entry.slice(0, colon), `${what}'s id`);
    const key = decodeMasterKey(entry.slice(colon + 1), what);
    const known = keys.get(id);
    if (known && !known.equals(key)) {
      throw new SecretError("bad-key", `${what} reuses key id "${id}" for a different key`);
    }
    keys.set(id, key);
  }
  return { currentId, keys };
}

const keyFileSchema = z.object({
  currentId: z.string().regex(KEY_ID_RE),
  keys: z.record(z.string().regex(KEY_ID_RE), z.string()),
});

function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

function readKeyFile(file: string): Keyring {
  const mode = fs.statSync(file).mode & 0o777;
  // A key anyone on the box can read protects nothing; refuse rather than warn.
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new SecretError(
      "key-file",
      `${file} has mode 0${mode.toString(8)}; it holds the master key and must be private to its owner. ` + `Run: chmod 600 ${file}`,
    );
  }
  let parsed: z.infer<typeof keyFileSchema>;
  try {
    parsed = keyFileSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
  } catch {
    throw new SecretError("key-file", `${file} is not a valid Gatewarden key file ({ currentId, keys: { id: base64 } })`);
  }
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of Object.entries(parsed.keys)) keys.set(id, decodeMasterKey(b64, `key "${id}" in ${file}`));
  if (!keys.has(parsed.currentId)) {
    throw new SecretError("key-file", `${file} names current key "${parsed.currentId}" but does not contain it`);
  }
  return { currentId: parsed.currentId, keys };
}

function serialize(ring: Keyring): string {
  const keys = Object.fromEntries([...ring.keys].map(([id, key]) => [id, key.toString("base64")]));
  return `${JSON.stringify({ currentId: ring.currentId, keys }, null, 2)}\n`;
}

/** Writes a private temp file next to `file`, fsynced, and returns its path. */
function writeTemp(file: string, content: string): string {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return tmp;
}

function newKey(ring?: Keyring): { id: string; key: Buffer } {
  for (;;) {
    const key = randomBytes(KEY_BYTES);
    const id = deriveKeyId(key);
    if (!ring?.keys.has(id)) return { id, key };
  }
}

function createKeyFile(dataDir: string): Keyring {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = keyFilePath(dataDir);
  const { id, key } = newKey();
  const ring: Keyring = { currentId: id, keys: new Map([[id, key]]) };
  const tmp = writeTemp(file, serialize(ring));
  try {
    // link() fails if the file exists, so two processes starting at once never
    // overwrite each other's fresh key (rename would, losing data encrypted with it).
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return readKeyFile(file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return ring;
}

/**
 * The keyring to use. GATEWARDEN_SECRET_KEY (with optional _ID and PREVIOUS_SECRET_KEYS)
 * wins; otherwise <dataDir>/secret.key is read. It is created with a fresh key only
 * when `create` says so: the server's start-up does, and only while no secret is stored
 * (a new key over existing data would make every secret unreadable).
 */
export function loadKeyring({ env = process.env, dataDir, create = false }: { env?: Env; dataDir?: string; create?: boolean }): Keyring {
  const secret = env.GATEWARDEN_SECRET_KEY;
  if (secret?.trim()) return keyringFromEnv(env, secret);
  if (!dataDir) {
    throw new SecretError("bad-key", "Set GATEWARDEN_SECRET_KEY or give a data directory for secret.key");
  }
  const file = keyFilePath(dataDir);
  if (fs.existsSync(file)) return readKeyFile(file);
  if (create) return createKeyFile(dataDir);
  throw new SecretError("key-file", `There is no master key: set GATEWARDEN_SECRET_KEY or put the key file back at ${file}`);
}

/**
 * Identifies what <dataDir>/secret.key holds now without reading it: a rotation replaces
 * the file (rename), so its inode and mtime change. null when there is no file.
 */
export function keyFileVersion(dataDir: string): string | null {
  try {
    const st = fs.statSync(keyFilePath(dataDir));
    return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}:${st.size}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function replaceKeyFile(file: string, content: string): void {
  fs.renameSync(writeTemp(file, content), file);
}

function lockKeyFile(file: string): () => void {
  const lock = `${file}.lock`;
  let fd: number;
  try {
    fd = fs.openSync(lock, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    throw new SecretError("key-file", `Another key rotation holds ${lock}; if none is running, delete that file`);
  }
  return () => {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
  };
}

/**
 * Rotates the master key of <dataDir>/secret.key around `reencrypt`, which is given the
 * new ring (a fresh current key plus every older one) and must move every stored secret
 * to it in one transaction, or throw having changed nothing:
 *   1. the new key is added to the file, not yet current: whatever the transaction
 *      commits, the file can decrypt it, even if this process dies right after;
 *   2. reencrypt(next);
 *   3. on success the new key becomes current and the old one is retired: it stays in
 *      the file and never encrypts again, so what was sealed with it before (a backup
 *      of the database, a value an instance wrote before it reloaded the file) still
 *      decrypts. On failure the file is put back as it was and the error rethrown.
 * secret.key.lock is held throughout, so two rotations never interleave.
 */
export async function rotateMasterKey<T>(
  dataDir: string,
  reencrypt: (next: Keyring) => Promise<T>,
): Promise<{ previous: Keyring; next: Keyring; result: T }> {
  const file = keyFilePath(dataDir);
  if (!fs.existsSync(file)) {
    throw new SecretError("key-file", `${file} does not exist, so there is no master key to rotate (the app creates it on first start)`);
  }
  const unlock = lockKeyFile(file);
  try {
    const before = fs.readFileSync(file, "utf8");
    const previous = readKeyFile(file);
    const { id, key } = newKey(previous);
    const keys = new Map([...previous.keys, [id, key]]);
    replaceKeyFile(file, serialize({ currentId: previous.currentId, keys }));
    const next: Keyring = { currentId: id, keys };
    let result: T;
    try {
      result = await reencrypt(next);
    } catch (e) {
      try {
        replaceKeyFile(file, before);
      } catch {
        // Left as it is, the file only holds an extra key that is not current and seals nothing.
      }
      throw e;
    }
    try {
      replaceKeyFile(file, serialize(next));
    } catch (e) {
      throw new SecretError(
        "rotation-unfinished",
        `Every secret is re-encrypted with the new key ${id}, but ${file} could not be updated to make it current ` +
          `(${(e as Error).message}). Nothing is lost: the file holds both keys. Run the rotation again.`,
      );
    }
    return { previous, next, result };
  } finally {
    unlock();
  }
}
