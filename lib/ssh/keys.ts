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

export function generateEd25519KeyPair(opts: { comment?: string } = {}): SshKeyPair {
  const pair = ssh2.utils.generateKeyPairSync("ed25519", opts.comment === undefined ? undefined : { comment: opts.comment });
  return { privateKey: pair.private, publicKey: pair.public };
}
