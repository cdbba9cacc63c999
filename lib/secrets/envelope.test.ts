import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decryptSecret, encryptSecret, envelopeKeyId, needsReencryption } from "./envelope";
import { SecretError } from "./errors";
import { testKeyring } from "./test-keyring";

const ring = testKeyring("k1");

function expectSecretError(fn: () => unknown, code: SecretError["code"]) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SecretError);
    expect((e as SecretError).code).toBe(code);
    return;
  }
  throw new Error("expected a SecretError");
}

describe("encryptSecret / decryptSecret", () => {
  it("round-trips any string, with and without AAD", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.option(fc.string(), { nil: undefined }), (pt, aad) => {
        return decryptSecret(encryptSecret(pt, ring, aad), ring, aad) === pt;
      }),
      { numRuns: 300 },
    );
  });

  it("has the documented compact form", () => {
    const env = encryptSecret("my_key", ring, "psk:t1");
    expect(env).toMatch(/^gw1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{22}$/);
    expect(envelopeKeyId(env)).toBe("k1");
  });

  it("uses a fresh nonce for every value", () => {
    const a = encryptSecret("same", ring);
    const b = encryptSecret("same", ring);
    expect(a).not.toBe(b);
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
  });

  it("never contains the plaintext, nor its base64", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), (pt) => {
        const env = encryptSecret(pt, ring);
        return !env.includes(pt) && !env.includes(Buffer.from(pt).toString("base64url"));
      }),
      { numRuns: 300 },
    );
  });

  it("detects tampering of every part", () => {
    const env = encryptSecret("correct horse battery staple", ring, "psk:t1");
    const parts = env.split(".");
    for (let i = 2; i < parts.length; i++) {
      const p = parts[i]!;
      for (const pos of [0, Math.floor(p.length / 2), p.length - 1]) {
        const flipped = p[pos] === "A" ? "B" : "A";
        const bad = [...parts];
        bad[i] = p.slice(0, pos) + flipped + p.slice(pos + 1);
        expect(() => decryptSecret(bad.join("."), ring, "psk:t1")).toThrow(SecretError);
      }
    }
    // Truncating the ciphertext or dropping the tag also fails.
    expect(() => decryptSecret(env.slice(0, -1), ring, "psk:t1")).toThrow(SecretError);
    expectSecretError(() => decryptSecret(parts.slice(0, 4).join("."), ring, "psk:t1"), "malformed");
    expectSecretError(() => decryptSecret(["gw2", ...parts.slice(1)].join("."), ring, "psk:t1"), "malformed");
  });

  it("rejects a key id swapped to another known key", () => {
    const two = testKeyring("k1", { k2: 2 });
    const env = encryptSecret("s3cret", two).split(".");
    env[1] = "k2";
    expectSecretError(() => decryptSecret(env.join("."), two), "decrypt-failed");
  });

  it("fails with the wrong AAD (value moved to another row)", () => {
    const env = encryptSecret("s3cret", ring, "psk:tunnel-1");
    expectSecretError(() => decryptSecret(env, ring, "psk:tunnel-2"), "decrypt-failed");
    expectSecretError(() => decryptSecret(env, ring), "decrypt-failed");
    expectSecretError(() => decryptSecret(encryptSecret("s3cret", ring), ring, "psk:tunnel-1"), "decrypt-failed");
  });

  it("fails for an unknown key id", () => {
    const env = encryptSecret("s3cret", testKeyring("old"));
    expectSecretError(() => decryptSecret(env, ring), "unknown-key");
  });

  it("fails with the right id but different key bytes", () => {
    const env = encryptSecret("s3cret", ring);
    const other = { currentId: "k1", keys: new Map([["k1", Buffer.alloc(32, 9)]]) };
    expectSecretError(() => decryptSecret(env, other), "decrypt-failed");
  });

  it.each(["", "gw1", "gw1.k1.a.b.c", "gw1..AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA", "x.y.z.w.v"])("rejects malformed %j", (s) =>
    expectSecretError(() => decryptSecret(s, ring), "malformed"),
  );
});

describe("key rotation", () => {
  const before = testKeyring("k1");
  const after = testKeyring("k2", { k1: 1 });

  it("old values still decrypt, new values use the new id", () => {
    const old = encryptSecret("psk-value", before, "psk:t1");
    expect(decryptSecret(old, after, "psk:t1")).toBe("psk-value");
    expect(needsReencryption(old, after)).toBe(true);
    const fresh = encryptSecret("psk-value", after, "psk:t1");
    expect(envelopeKeyId(fresh)).toBe("k2");
    expect(needsReencryption(fresh, after)).toBe(false);
  });

  it("needsReencryption rejects non-envelopes", () => {
    expectSecretError(() => needsReencryption("plain", after), "malformed");
  });
});
