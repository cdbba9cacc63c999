// AES-256-GCM envelopes for secrets at rest (PSKs, SSH keys):
//   gw1.<keyId>.<nonce b64url>.<ciphertext b64url>.<tag b64url>
// The AAD binds a value to its purpose (e.g. "psk:<tunnelId>"), so a ciphertext copied
// into another row fails to decrypt instead of silently becoming that row's secret.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { SecretError } from "./errors";
import type { Keyring } from "./keyring";

const VERSION = "gw1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const B64URL_RE = /^[A-Za-z0-9_-]*$/;

type Parsed = { keyId: string; nonce: Buffer; ciphertext: Buffer; tag: Buffer };

// Rejects non-canonical base64url: otherwise flipping unused trailing bits would yield
// a different envelope string that still decrypts, which defeats tamper checks on the text.
function decodeB64url(part: string): Buffer | undefined {
  if (!B64URL_RE.test(part)) return undefined;
  const buf = Buffer.from(part, "base64url");
  return buf.toString("base64url") === part ? buf : undefined;
}

function parseEnvelope(envelope: string): Parsed {
  const parts = envelope.split(".");
  const malformed = () => new SecretError("malformed", "Not a Gatewarden secret envelope (gw1.…)");
  if (parts.length !== 5 || parts[0] !== VERSION) throw malformed();
  const [, keyId, n, c, t] = parts as [string, string, string, string, string];
  const nonce = decodeB64url(n);
  const ciphertext = decodeB64url(c);
  const tag = decodeB64url(t);
  if (!keyId || !nonce || nonce.length !== NONCE_BYTES || !ciphertext || !tag || tag.length !== TAG_BYTES) {
    throw malformed();
  }
  return { keyId, nonce, ciphertext, tag };
}

// The header is authenticated too, so version and key id cannot be swapped undetected.
function associatedData(keyId: string, aad: string | undefined): Buffer {
  return Buffer.from(`${VERSION}\0${keyId}\0${aad ?? ""}`, "utf8");
}

function keyFor(keyring: Keyring, keyId: string): Buffer {
  const key = keyring.keys.get(keyId);
  if (!key) {
    throw new SecretError("unknown-key", `Secret was encrypted with key "${keyId}", which is not in the keyring`);
  }
  return key;
}

export function encryptSecret(plaintext: string, keyring: Keyring, aad?: string): string {
  const keyId = keyring.currentId;
  const key = keyFor(keyring, keyId);
  // Random 96-bit nonces are safe far beyond the number of secrets one install will hold.
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(keyId, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyId, nonce, ciphertext, tag].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/** Throws SecretError if the envelope is malformed, its key is unknown, or it was tampered with / has another AAD. */
export function decryptSecret(envelope: string, keyring: Keyring, aad?: string): string {
  const { keyId, nonce, ciphertext, tag } = parseEnvelope(envelope);
  const key = keyFor(keyring, keyId);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(keyId, aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretError("decrypt-failed", "Secret failed authentication: it was altered, or belongs to a different record (AAD)");
  }
}

/** True when the envelope was made with an older key and should be re-encrypted with the current one. */
export function needsReencryption(envelope: string, keyring: Keyring): boolean {
  return parseEnvelope(envelope).keyId !== keyring.currentId;
}

/** The key id an envelope was made with (for reports on how much still uses an old key). */
export function envelopeKeyId(envelope: string): string {
  return parseEnvelope(envelope).keyId;
}
