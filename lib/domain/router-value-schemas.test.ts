// Property tests: no schema for a value that reaches a router shell or config file
// accepts a string containing a shell metacharacter, however it is placed. (The SSH
// layer's own refusal of unsafe arguments is tested in lib/ssh/argv.test.ts.)
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { z } from "zod";
import { cidrSchema, ipv4Schema, publicEndpointIpSchema } from "./ip";
import { ifaceNameSchema, ipsecIfaceSchema, sshHostSchema, sshUserSchema } from "./names";

// Beyond the obvious ; | & $ ` ( ) < > quotes and backslash: whitespace and NUL split
// arguments, glob characters (* ? [ ] { }) expand, ! and ~ expand in some shells, and
// # starts a comment.
const SHELL_METACHARACTER_LIST: readonly string[] = [
  ";",
  "|",
  "&",
  "$",
  "`",
  "(",
  ")",
  "<",
  ">",
  "\n",
  "\r",
  '"',
  "'",
  "\\",
  " ",
  "*",
  "\t",
  "\0",
  "?",
  "[",
  "]",
  "{",
  "}",
  "!",
  "~",
  "#",
];
const hasShellMetacharacters = (s: string) => [...s].some((c) => SHELL_METACHARACTER_LIST.includes(c) || /\s/.test(c));

const meta = fc.constantFrom(...SHELL_METACHARACTER_LIST);

// Valid-looking values, so a metacharacter is the only thing wrong with the input.
const near = fc.constantFrom("198.18.0.10", "192.168.1.0/24", "eth0", "ipsec0", "root", "gw1.example.net", "localhost");

function withMeta(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, meta, fc.nat(), fc.string({ maxLength: 4 })).map(([b, m, at, extra]) => {
    const i = at % (b.length + 1);
    return b.slice(0, i) + m + extra + b.slice(i);
  });
}

const schemas: [string, z.ZodType][] = [
  ["ipv4Schema", ipv4Schema],
  ["cidrSchema", cidrSchema],
  ["publicEndpointIpSchema", publicEndpointIpSchema],
  ["ifaceNameSchema", ifaceNameSchema],
  ["ipsecIfaceSchema", ipsecIfaceSchema],
  ["sshUserSchema", sshUserSchema],
  ["sshHostSchema", sshHostSchema],
];

describe("hasShellMetacharacters (this file's oracle)", () => {
  it.each(SHELL_METACHARACTER_LIST.map((m) => [JSON.stringify(m), m]))("detects %s", (_, m) => {
    expect(hasShellMetacharacters(`a${m}b`)).toBe(true);
  });
  it.each(["eth0", "198.18.0.10", "gw1.example.net", "ipsec12", "a_b-c.d", "10.0.0.0/8"])("passes %s", (s) => {
    expect(hasShellMetacharacters(s)).toBe(false);
  });
});

describe.each(schemas)("%s never accepts a metacharacter", (_, schema) => {
  it("in a value that is otherwise valid", () => {
    fc.assert(
      fc.property(withMeta(near), (s) => !schema.safeParse(s).success),
      { numRuns: 2000 },
    );
  });
  it("in a random string", () => {
    fc.assert(
      fc.property(withMeta(fc.string()), (s) => !schema.safeParse(s).success),
      { numRuns: 2000 },
    );
  });
  it("and whatever it accepts has none", () => {
    const candidates = fc.oneof(near, fc.ipV4(), fc.domain(), fc.stringMatching(/^[a-z0-9._\-/]{1,20}$/));
    fc.assert(
      fc.property(candidates, (s) => !schema.safeParse(s).success || !hasShellMetacharacters(s)),
      { numRuns: 2000 },
    );
  });
});

describe("valid values round-trip through their schemas unchanged", () => {
  it.each([
    ["ipv4Schema", ipv4Schema, fc.ipV4()],
    ["sshHostSchema (IPv4)", sshHostSchema, fc.ipV4()],
    ["sshHostSchema (names)", sshHostSchema, fc.domain()],
    ["ipsecIfaceSchema", ipsecIfaceSchema, fc.integer({ min: 0, max: 999 }).map((n) => `ipsec${n}`)],
    ["ifaceNameSchema", ifaceNameSchema, fc.stringMatching(/^[a-z][a-z0-9_.-]{0,14}$/)],
    ["sshUserSchema", sshUserSchema, fc.stringMatching(/^[a-z_][a-z0-9_-]{0,31}$/)],
  ] as [string, z.ZodType, fc.Arbitrary<string>][])("%s", (_, schema, arb) => {
    fc.assert(fc.property(arb, (s) => schema.parse(s) === s));
  });
});
