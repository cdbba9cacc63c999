// Dashboard login passwords: scrypt hashes in a self-describing string
// `scrypt$N$r$p$salt$hash` (base64url), so parameters can be raised later without
// invalidating stored hashes: older ones still verify and are replaced on the next
// successful sign-in (passwordNeedsRehash).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { z } from "zod";

// OWASP's scrypt recommendation: N = 2^17, r = 8, p = 1 (128 MiB and about a third of a
// second per check here). Releases before this one stored N = 2^15.
const N = 2 ** 17;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function scryptAsync(pw: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(pw, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

// scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is below that for
// N ≥ 2^15, r=8, so allow twice the need.
function options(n: number, r: number, p: number): ScryptOptions {
  return { N: n, r, p, maxmem: 2 * 128 * n * r };
}

// NFC so the same password typed on different keyboards/OSes hashes the same.
const normalize = (pw: string) => pw.normalize("NFC");

export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(normalize(pw), salt, KEY_BYTES, options(N, R, P));
  return ["scrypt", N, R, P, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

type Stored = { n: number; r: number; p: number; salt: Buffer; hash: Buffer };

const INT_RE = /^[1-9][0-9]{0,7}$/;

// Bounds keep a corrupted or hostile row from making one login burn gigabytes or minutes.
function parseStored(stored: string): Stored | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [, ns, rs, ps, salts, hashs] = parts as [string, string, string, string, string, string];
  if (![ns, rs, ps].every((x) => INT_RE.test(x))) return null;
  const n = Number(ns);
  const r = Number(rs);
  const p = Number(ps);
  const salt = Buffer.from(salts, "base64url");
  const hash = Buffer.from(hashs, "base64url");
  const powerOfTwo = (n & (n - 1)) === 0;
  if (!powerOfTwo || n < 2 ** 10 || n > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return null;
  return { n, r, p, salt, hash };
}

/** True if `pw` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(pw: string, stored: string): Promise<boolean> {
  const s = parseStored(stored);
  if (!s) return false;
  const candidate = await scryptAsync(normalize(pw), s.salt, s.hash.length, options(s.n, s.r, s.p));
  return timingSafeEqual(candidate, s.hash);
}

/** True when a stored hash uses weaker parameters than today's; rehash after a successful login. */
export function passwordNeedsRehash(stored: string): boolean {
  const s = parseStored(stored);
  return !s || s.n < N || s.r < R || s.hash.length < KEY_BYTES;
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, so login timing does not reveal which user names exist. */
export async function verifyPasswordForUnknownUser(pw: string): Promise<false> {
  dummyHash ??= hashPassword("gatewarden-no-such-user");
  await verifyPassword(pw, await dummyHash);
  return false;
}

export const passwordSchema = z
  .string({ error: "Enter a password" })
  .min(12, { error: "Use at least 12 characters" })
  .max(256, { error: "Use at most 256 characters" });
