import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { REDACTED, redactSecrets } from "./redact";
import { generatePsk } from "./psk";

describe("redactSecrets", () => {
  it("replaces every occurrence of each secret", () => {
    const text = "IKE_PSK='s3cretKey-1234567890' and again s3cretKey-1234567890; other=tokenXYZ";
    expect(redactSecrets(text, ["s3cretKey-1234567890", "tokenXYZ"])).toBe(
      `IKE_PSK='${REDACTED}' and again ${REDACTED}; other=${REDACTED}`,
    );
  });

  it("replaces base64, base64url and hex forms", () => {
    const secret = "pre>shared?key~value";
    const b64 = Buffer.from(secret).toString("base64");
    const text = `secret = 0s${b64}\nurl ${Buffer.from(secret).toString("base64url")}\nhex 0x${Buffer.from(secret).toString("hex")}`;
    const out = redactSecrets(text, [secret]);
    expect(out).toBe(`secret = 0s${REDACTED}\nurl ${REDACTED}\nhex 0x${REDACTED}`);
  });

  it("treats regex characters literally", () => {
    expect(redactSecrets("a.b a*b (x|y)", ["a*b", "(x|y)"])).toBe(`a.b ${REDACTED} ${REDACTED}`);
  });

  it("removes a longer secret whole when it contains a shorter one", () => {
    expect(redactSecrets("abc-secret-def", ["secret", "abc-secret-def"])).toBe(REDACTED);
  });

  it("redacts lines of a multi-line key and CRLF variants", () => {
    const key = "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAAB\nQQCxyzabcdefghijklmnopqrstuv\n-----END KEY-----";
    expect(redactSecrets(`dump: ${key.replace(/\n/g, "\r\n")}`, [key])).toBe(`dump: ${REDACTED}`);
    expect(redactSecrets("partial AAAAB3NzaC1yc2EAAAADAQABAAAB here", [key])).toBe(`partial ${REDACTED} here`);
  });

  it("ignores empty secrets and leaves other text alone", () => {
    expect(redactSecrets("nothing here", ["", "absent"])).toBe("nothing here");
    expect(redactSecrets("nothing here", [])).toBe("nothing here");
  });

  it("never leaves a generated PSK in the output", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        const psk = generatePsk();
        const out = redactSecrets(`${before}${psk}${after}${Buffer.from(psk).toString("base64")}`, [psk]);
        return !out.includes(psk) && !out.includes(Buffer.from(psk).toString("base64"));
      }),
    );
  });
});
