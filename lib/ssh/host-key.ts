// Host-key fingerprints in the one form admins compare by eye: `ssh-keygen -lf` prints
// `SHA256:<base64 without padding>`, so that is what we pin, store and show.
import { createHash } from "node:crypto";

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Fingerprint of a raw SSH public key blob (what ssh2's hostVerifier receives). */
export function fingerprintOf(rawKey: Buffer): string {
  return "SHA256:" + createHash("sha256").update(rawKey).digest("base64").replace(/=+$/, "");
}

/** The algorithm named inside a raw key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`). */
export function keyTypeOf(rawKey: Buffer): string {
  if (rawKey.length < 4) return "unknown";
  const len = rawKey.readUInt32BE(0);
  return len > 0 && len < 64 && rawKey.length >= 4 + len ? rawKey.subarray(4, 4 + len).toString("latin1") : "unknown";
}

/** Where OpenSSH keeps the host key of that type, for "compare on the console" hints. */
export function hostKeyFileFor(keyType: string): string {
  const short = keyType === "ssh-ed25519" ? "ed25519" : keyType.startsWith("ecdsa-") ? "ecdsa" : keyType === "ssh-rsa" ? "rsa" : "*";
  return `/etc/ssh/ssh_host_${short}_key.pub`;
}

/** Fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
export function fingerprintOfPublicKeyLine(line: string): string {
  const blob = line.trim().split(/\s+/)[1];
  if (!blob) throw new Error("not an OpenSSH public key line");
  return fingerprintOf(Buffer.from(blob, "base64"));
}

export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text);
}

/**
 * Pinned values come from people and older records: tolerate surrounding space and the
 * base64 padding some tools print, so a correct pin is never reported as "changed".
 */
export function normalizeFingerprint(text: string): string {
  return text.trim().replace(/=+$/, "");
}

export type KeygenFingerprint = { bits: number; fingerprint: string; comment: string; type: string };

/** Parses `ssh-keygen -lf` output (one key per line), e.g. to check our hashing in tests. */
export function parseSshKeygenFingerprints(output: string): KeygenFingerprint[] {
  const out: KeygenFingerprint[] = [];
  for (const line of output.split("\n")) {
    const m = /^(\d+) (SHA256:[A-Za-z0-9+/]+) (.*?) ?\(([A-Z0-9-]+)\)$/.exec(line.trim());
    if (m) out.push({ bits: Number(m[1]), fingerprint: m[2]!, comment: m[3]!, type: m[4]! });
  }
  return out;
}
