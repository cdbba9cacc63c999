// Fresh SSH key pairs in OpenSSH text form, for whoever needs a key without
// ssh-keygen: named SSH credentials, the test sshd, the specs' SSH forms, made-up
// fleets. Here because lib/ssh is the only ssh2 user.
import ssh2 from "ssh2";
import { fingerprintOfBlob } from "./authorized-keys";

export type SshKeyPair = {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` …, unencrypted. */
  privateKey: string;
  /** One `ssh-ed25519 AAAA… comment` line, as authorized_keys takes it. */
  publicKey: string;
};

/**
 * About 1 in 250 of ssh2's generated ed25519 keys is one its own parser then refuses
 * ("Malformed OpenSSH private key": 8 in 2000 measured), which made seeded fleets and
 * forms fail at random; a pair is returned only once ssh2 reads its private key back.
 */
export function generateEd25519KeyPair(opts: { comment?: string } = {}): SshKeyPair {
  for (let attempt = 0; ; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", opts.comment === undefined ? undefined : { comment: opts.comment });
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return { privateKey: pair.private, publicKey: pair.public };
    if (attempt >= 20) throw new Error("ssh2 generated no readable ed25519 key in 20 attempts");
  }
}

/**
 * The public half of a private key (one the credential check accepted), as an
 * authorized_keys line with the given comment, and its SHA256 fingerprint.
 */
export function publicKeyOf(privateKey: string, comment: string): { publicKey: string; fingerprint: string; type: string } {
  const parsed = ssh2.utils.parseKey(privateKey.trim() + "\n");
  if (parsed instanceof Error) throw new Error(`not a usable private key (${parsed.message})`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  const blob = `${key.type} ${key.getPublicSSH().toString("base64")}`;
  return { publicKey: `${blob} ${comment}`, fingerprint: fingerprintOfBlob(blob), type: key.type };
}
