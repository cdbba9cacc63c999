// Fresh SSH key pairs in OpenSSH text form, for whoever needs a key without
// ssh-keygen: the test sshd, the specs' SSH forms, made-up fleets. Here because
// lib/ssh is the only ssh2 user.
import ssh2 from "ssh2";

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
