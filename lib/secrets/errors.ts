// Failures of secret handling. The message never contains key material or plaintext.

export type SecretErrorCode =
  | "malformed" // not a gw1 envelope
  | "unknown-key" // envelope names a key the keyring lacks (reload the keyring after a rotation)
  | "decrypt-failed" // tampered, wrong key bytes, or wrong AAD (moved to another row)
  | "bad-key" // master key configuration is unusable
  | "key-file" // secret.key missing pieces, unreadable or too permissive
  | "rotation-unfinished"; // secrets re-encrypted, but the new key could not be made current: run it again

export class SecretError extends Error {
  constructor(
    public readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SecretError";
  }
}
