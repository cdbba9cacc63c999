import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { estimatePskBits, generatePsk, pskSchema } from "./psk";

const msg = (s: string) => pskSchema.safeParse(s).error?.issues[0]?.message;

describe("generatePsk", () => {
  it("is 43 chars of base64url, passes pskSchema, and is unique over 10k draws", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const psk = generatePsk();
      expect(psk).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(pskSchema.safeParse(psk).success).toBe(true);
      seen.add(psk);
    }
    expect(seen.size).toBe(10_000);
  });

  it("never starts with 0x or 0s", () => {
    for (let i = 0; i < 5_000; i++) expect(generatePsk()).not.toMatch(/^0[xXsS]/);
  });

  it("rates a generated key near 256 bits", () => {
    expect(estimatePskBits(generatePsk())).toBeGreaterThan(200);
  });
});

describe("pskSchema", () => {
  it.each([
    "Tr0ub4dor-and-3-more-words",
    "k9Vq!m2Zp@x7Lr4Nw8Ty",
    "averylongpassphrasewithoutanydigitsatall",
    "MixedCaseLettersOnly12",
    "a|B&c(D)e<F>g*H?i!j~K=l+M%n",
  ])("accepts %j", (s) => expect(pskSchema.safeParse(s).success).toBe(true));

  it.each([
    ["short1A!", /at least 20/],
    ["A1b!".repeat(33), /at most 128/],
    ["has space Inside12345", /spaces and tabs/],
    ["tab\tInside1234567890X", /spaces and tabs/],
    ['quote"Inside123456789X', /double quote/],
    ["quote'Inside123456789X", /single quote/],
    ["back\\slashInside12345X", /backslash/],
    ["dollar$Inside12345678X", /variable expansion/],
    ["tick`Inside1234567890X", /runs a command/],
    ["hash#Inside1234567890X", /comment/],
    ["semi;Inside1234567890X", /ends a command/],
    ["ünïcödeInside12345678X", /printable ASCII/],
    ["0xDEADBEEFdeadbeef12345", /0x or 0s/],
    ["0sSGVsbG9Xb3JsZA1234567", /0x or 0s/],
    ["aaaaaaaaaaaaaaaaaaaaaaaa", /repeats one character/],
    ["abcdefghijklmnopqrstuvwxyz", /simple sequence/],
    ["12345678901234567890", /printable|sequence|weak/],
    ["Ab1!Ab1!Ab1!Ab1!Ab1!Ab1!", /repeats the same 4 characters/],
    ["onlylowercaseletters", /weak \(about \d+ bits\)/],
    ["lowercase1234567890", /at least 20/],
  ])("rejects %j", (s, m) => expect(msg(s)).toMatch(m));

  it("says why for every forbidden character", () => {
    for (const ch of [" ", '"', "'", "\\", "$", "`", "#", ";"]) {
      expect(msg(`Abcdefgh1234${ch}5678XYZ`)).toMatch(/can't contain that character: .{10,}/);
    }
  });

  it("rejects any key containing a forbidden character", () => {
    const bad = fc.constantFrom(" ", '"', "'", "\\", "$", "`", "#", ";", "\n", "\t");
    fc.assert(
      fc.property(fc.nat(42), bad, (at, ch) => {
        const psk = generatePsk();
        return !pskSchema.safeParse(psk.slice(0, at) + ch + psk.slice(at)).success;
      }),
    );
  });
});

describe("estimatePskBits", () => {
  it("grows with length and variety", () => {
    expect(estimatePskBits("")).toBe(0);
    expect(estimatePskBits("aaaaaaaaaaaaaaaaaaaa")).toBe(20);
    expect(estimatePskBits("abcdefghijklmnopqrst")).toBeLessThan(estimatePskBits("aBcD3fGh!jKlMn0pQrSt"));
  });
});
