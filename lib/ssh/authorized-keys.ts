// Editing an authorized_keys file as text, for rotating a named SSH credential: add a
// public key once, remove a key by its blob, leave every other line (other people's keys,
// options, comments, blank lines) exactly as it was. Pure: the caller reads and writes
// the file over SFTP.
import { createHash } from "node:crypto";
import ssh2 from "ssh2";

/** Key types sshd accepts in authorized_keys (OpenSSH 9). */
const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ssh-dss",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A public key's identity: "type base64", without options or comment. */
export type KeyBlob = string;

/**
 * The key on one authorized_keys line ("type base64"), or null for a comment, a blank
 * line or anything sshd would not read as a key. Options before the key may hold quoted
 * strings with spaces; the key is the first "type base64" pair of tokens.
 */
export function keyBlobOfLine(line: string): KeyBlob | null {
  const trimmed = line.trim();
  if (!trimmed || trimmed.startsWith("#")) return null;
  const tokens = trimmed.split(/\s+/);
  for (let i = 0; i + 1 < tokens.length; i++) {
    const type = tokens[i]!;
    if (KEY_TYPES.has(type) && BASE64.test(tokens[i + 1]!)) return `${type} ${tokens[i + 1]}`;
  }
  return null;
}

export type PublicKeyLine = { blob: KeyBlob; line: string; fingerprint: string };

/** Characters allowed in the comment Gatewarden writes after its keys. */
const COMMENT = /^[A-Za-z0-9._:@-]{1,100}$/;

/**
 * A strict parse of a public key line Gatewarden is about to write to a router: exactly
 * "type base64 [comment]", a key ssh2 can read, one line, a plain comment.
 */
export function parsePublicKeyLine(text: string): PublicKeyLine {
  const line = text.trim();
  if (/[\r\n\0]/.test(line)) throw new Error("a public key must be one line");
  const [type, b64, comment, ...rest] = line.split(" ");
  if (!type || !KEY_TYPES.has(type) || !b64 || !BASE64.test(b64)) throw new Error("not a public key line (type base64 [comment])");
  if (rest.length || (comment !== undefined && !COMMENT.test(comment)))
    throw new Error("the comment must be one word of letters, digits and ._:@-");
  const parsed = ssh2.utils.parseKey(`${type} ${b64}`);
  if (parsed instanceof Error) throw new Error(`not a usable public key (${parsed.message})`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  if (key.type !== type || key.isPrivateKey()) throw new Error("not a public key of its stated type");
  return { blob: `${type} ${b64}`, line, fingerprint: fingerprintOfBlob(`${type} ${b64}`) };
}

/** OpenSSH's fingerprint of a public key: SHA256:<base64 of the SHA-256 of the key blob, unpadded>. */
export function fingerprintOfBlob(blob: KeyBlob): string {
  const b64 = blob.split(" ")[1] ?? "";
  return "SHA256:" + createHash("sha256").update(Buffer.from(b64, "base64")).digest("base64").replace(/=+$/, "");
}

export function hasAuthorizedKey(text: string, blob: KeyBlob): boolean {
  return text.split("\n").some((l) => keyBlobOfLine(l) === blob);
}

/** The file with the line appended, unless a line already holds that key (then unchanged). */
export function addAuthorizedKey(text: string, line: string): { text: string; changed: boolean } {
  const key = parsePublicKeyLine(line);
  if (hasAuthorizedKey(text, key.blob)) return { text, changed: false };
  const base = text === "" || text.endsWith("\n") ? text : text + "\n";
  return { text: `${base}${key.line}\n`, changed: true };
}

/** The file without the lines holding that key; every other line kept byte for byte. */
export function removeAuthorizedKey(text: string, blob: KeyBlob): { text: string; removed: number } {
  const lines = text.split("\n");
  const kept = lines.filter((l) => keyBlobOfLine(l) !== blob);
  return { text: kept.join("\n"), removed: lines.length - kept.length };
}

/**
 * The authorized_keys command for a router's console: appends the line to the file
 * (relative: under the home of the user who runs it), creating its directory with the
 * modes sshd's StrictModes wants. The line is checked by parsePublicKeyLine and the path
 * must be plain ([A-Za-z0-9._/-]), so neither holds a quote or shell character.
 */
export function authorizedKeysCommand(line: string, path = ".ssh/authorized_keys"): string {
  const key = parsePublicKeyLine(line);
  if (!/^[A-Za-z0-9._/-]+$/.test(path) || path.split("/").includes("..")) throw new Error("not a plain file path");
  const file = path.startsWith("/") ? path : `~/${path}`;
  const dir = file.slice(0, file.lastIndexOf("/")) || "/";
  return `umask 077; mkdir -p ${dir} && echo '${key.line}' >> ${file}`;
}
