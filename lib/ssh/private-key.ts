// Checks that a pasted SSH private key is one ssh2 can use, before it is stored.
// Parsing is pure (no connection); it lives here because lib/ssh is the only ssh2 user.
import ssh2 from "ssh2";

export type KeyCheck = { ok: true; type: string } | { ok: false; message: string };

export function checkPrivateKey(text: string): KeyCheck {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: "Paste the private key the gateway accepts for this user" };
  if (/^ssh-(rsa|ed25519|dss)\s|^ecdsa-sha2-/.test(trimmed)) {
    return { ok: false, message: "That is a public key; paste the PRIVATE key (it starts with -----BEGIN)" };
  }
  const parsed = ssh2.utils.parseKey(trimmed + "\n");
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    return {
      ok: false,
      message: encrypted
        ? "This key is protected by a passphrase; Gatewarden needs an unencrypted key (it stores it encrypted)"
        : `Not a usable private key (${parsed.message})`,
    };
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) return { ok: false, message: "That is not a private key" };
  return { ok: true, type: key.type };
}
