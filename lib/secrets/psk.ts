// Pre-shared keys for IPsec tunnels: generation and validation of typed-in keys.
// The same PSK is written to keys-ipsecN (sourced by bash in ifup), racoon's psk.txt
// ("DST PSK" per line) and swanctl.conf (quoted string), so it must mean the same
// thing, byte for byte, to all three parsers.
import { randomBytes } from "node:crypto";
import { z } from "zod";

export const PSK_MIN_LENGTH = 20;
export const PSK_MAX_LENGTH = 128;

/** 32 random bytes as unpadded base64url: 43 chars of [A-Za-z0-9_-], 256 bits. */
export function generatePsk(): string {
  for (;;) {
    const psk = randomBytes(32).toString("base64url");
    // Redraw the rare key that starts with 0x/0s (see HEX_OR_BASE64_PREFIX); costs < 0.1 % entropy.
    if (pskProblem(psk) === null) return psk;
  }
}

// Why each character is refused, in the admin's terms.
const FORBIDDEN: [RegExp, string][] = [
  [/\s/, "spaces and tabs split the “DST PSK” line in racoon's psk.txt"],
  [/"/, "a double quote ends the quoted secret in swanctl.conf"],
  [/'/, "a single quote ends the quoted IKE_PSK value in keys-ipsecN"],
  [/\\/, "a backslash is an escape character in swanctl.conf and shell files"],
  [/\$/, "“$” starts variable expansion when ifup sources keys-ipsecN"],
  [/`/, "a backtick runs a command when ifup sources keys-ipsecN"],
  [/#/, "“#” starts a comment in psk.txt, swanctl.conf and keys-ipsecN"],
  [/;/, "“;” ends a command when ifup sources keys-ipsecN"],
];

// racoon reads a psk.txt key starting with 0x as hex, and strongSwan reads 0x/0s as
// hex/base64, so the two ends would derive different keys from the same text.
const HEX_OR_BASE64_PREFIX = /^0[xXsS]/;

const CLASSES: [RegExp, number][] = [
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[0-9]/, 10],
  [/[^a-zA-Z0-9]/, 25], // printable ASCII symbols left after the refused ones
];

/** Rough brute-force strength: length × log2(size of the character classes used). */
export function estimatePskBits(s: string): number {
  const pool = CLASSES.reduce((n, [re, size]) => (re.test(s) ? n + size : n), 0);
  const distinct = new Set(s).size;
  // Few distinct characters means a much smaller real alphabet than the classes suggest.
  const alphabet = Math.min(pool, Math.max(distinct, 1) * 2);
  return pool === 0 ? 0 : Math.floor(s.length * Math.log2(Math.max(alphabet, 2)));
}

function isTrivialSequence(s: string): boolean {
  // Constant step between neighbours: aaaa…, abcd…, 1234…, 9876…
  const step = s.charCodeAt(1) - s.charCodeAt(0);
  return Math.abs(step) <= 1 && [...s].every((_, i) => i === 0 || s.charCodeAt(i) - s.charCodeAt(i - 1) === step);
}

function repeatedUnit(s: string): number | null {
  for (let p = 1; p <= s.length / 2; p++) {
    if (s.length % p === 0 && s.slice(0, p).repeat(s.length / p) === s) return p;
  }
  return null;
}

/** Why a typed-in PSK cannot be used, or null if it can. */
export function pskProblem(s: string): string | null {
  if (s.length < PSK_MIN_LENGTH) return `Use at least ${PSK_MIN_LENGTH} characters (this one has ${s.length})`;
  if (s.length > PSK_MAX_LENGTH) return `Use at most ${PSK_MAX_LENGTH} characters (this one has ${s.length})`;
  for (const [re, why] of FORBIDDEN) {
    if (re.test(s)) return `The key can't contain that character: ${why}`;
  }
  if (!/^[\x21-\x7e]*$/.test(s)) {
    return "Use printable ASCII only: other characters are encoded differently by each router's config parser";
  }
  if (HEX_OR_BASE64_PREFIX.test(s)) {
    return "The key can't start with 0x or 0s: racoon and strongSwan would read it as hex/base64, not text";
  }
  const bits = estimatePskBits(s);
  if (new Set(s).size === 1) return `The key repeats one character (about ${bits} bits); generate one instead`;
  if (isTrivialSequence(s)) return `The key is a simple sequence (about ${bits} bits); generate one instead`;
  const unit = repeatedUnit(s);
  if (unit !== null && unit <= 8) {
    return `The key repeats the same ${unit} characters (about ${bits} bits); generate one instead`;
  }
  const classes = CLASSES.filter(([re]) => re.test(s)).length;
  if (classes < 3 && s.length < 32) {
    return (
      `This key is weak (about ${bits} bits): mix at least 3 of lowercase, uppercase, digits and symbols, ` +
      "or make it 32+ characters — or generate one"
    );
  }
  return null;
}

/** A PSK typed in by an admin (generated ones always pass). */
export const pskSchema = z.string({ error: "Enter a pre-shared key" }).superRefine((s, ctx) => {
  const problem = pskProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
