import { describe, expect, it } from "vitest";
import ssh2 from "ssh2";
import { generateEd25519KeyPair } from "./keys";
import { checkPrivateKey } from "./private-key";

describe("generateEd25519KeyPair", () => {
  it("returns an unencrypted OpenSSH private key that the credential check accepts", () => {
    const { privateKey } = generateEd25519KeyPair();
    expect(privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\n?$/);
    expect(checkPrivateKey(privateKey)).toEqual({ ok: true, type: "ssh-ed25519" });
  });

  it("returns the matching public key as one authorized_keys line with the comment", () => {
    const { privateKey, publicKey } = generateEd25519KeyPair({ comment: "gatewarden-test" });
    expect(publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* gatewarden-test$/);
    const parsed = ssh2.utils.parseKey(privateKey);
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error("unparsable private key");
    expect(publicKey.split(" ")[1]).toBe(parsed.getPublicSSH().toString("base64"));
  });

  it("never returns a key the credential check refuses (ssh2 makes one about every 250th)", () => {
    const refused = Array.from({ length: 2000 }, () => checkPrivateKey(generateEd25519KeyPair().privateKey)).filter((r) => !r.ok);
    expect(refused).toEqual([]);
  });

  it("makes a different key every time", () => {
    expect(generateEd25519KeyPair().privateKey).not.toBe(generateEd25519KeyPair().privateKey);
  });
});
