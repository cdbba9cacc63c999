import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { assertSafeArgv, commandLineOf, SAFE_ARGUMENT } from "./argv";
import { SshError } from "./errors";

const SAFE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";
const safeArg = fc.string({ unit: fc.constantFrom(...SAFE_CHARS), minLength: 1, maxLength: 20 });
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof SshError ? e.code : "other";
  }
  return "none";
};

describe("argv safety", () => {
  it("joins safe arguments with single spaces", () => {
    expect(commandLineOf(["ip", "route", "list", "table", "220"])).toBe("ip route list table 220");
    expect(commandLineOf(["/sbin/ifup", "ipsec0"])).toBe("/sbin/ifup ipsec0");
    expect(commandLineOf(["swanctl", "--initiate", "--child", "hq-branch1"])).toBe("swanctl --initiate --child hq-branch1");
  });

  it("refuses every shell metacharacter", () => {
    for (const c of [
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
      "'",
      '"',
      "\\",
      " ",
      "*",
      "?",
      "[",
      "~",
      "#",
      "!",
      "{",
      "\t",
      "\0",
    ]) {
      expect(
        code(() => commandLineOf(["echo", `a${c}b`])),
        JSON.stringify(c),
      ).toBe("unsafe-argument");
      expect(code(() => commandLineOf([c]))).toBe("unsafe-argument");
    }
  });

  it("refuses an empty argv, empty arguments and an assignment as the command", () => {
    expect(code(() => commandLineOf([]))).toBe("unsafe-argument");
    expect(code(() => commandLineOf(["ls", ""]))).toBe("unsafe-argument");
    expect(code(() => commandLineOf(["PATH=/tmp", "ls"]))).toBe("unsafe-argument");
    expect(commandLineOf(["sysctl", "net.ipv4.ip_forward=1"])).toBe("sysctl net.ipv4.ip_forward=1");
  });

  it("never echoes the refused value in the error", () => {
    const secret = "s3cr3t psk value";
    try {
      assertSafeArgv(["echo", secret]);
      expect.unreachable();
    } catch (e) {
      expect((e as SshError).userMessage).not.toContain("s3cr3t");
      expect((e as SshError).message).toContain("argument 2");
    }
  });

  it("property: any argument with a character outside the safe set is refused", () => {
    const metachar = fc.constantFrom(...";|&$`()<>\n'\"\\ *?[]{}~#!\t\r");
    const anyChar = fc.string({ minLength: 1, maxLength: 1, unit: "binary" }).filter((c) => !SAFE_ARGUMENT.test(c));
    const unsafeChar = fc.oneof(metachar, anyChar);
    fc.assert(
      fc.property(safeArg, unsafeChar, safeArg, fc.nat(3), (pre, bad, post, at) => {
        const args = ["cmd", "a", "b", "c"];
        args[at] = pre + bad + post;
        expect(code(() => assertSafeArgv(args))).toBe("unsafe-argument");
      }),
      { numRuns: 500 },
    );
  });

  it("property: arguments made only of safe characters pass unchanged", () => {
    fc.assert(
      fc.property(fc.array(safeArg, { minLength: 1, maxLength: 6 }), (args) => {
        fc.pre(!args[0]!.includes("="));
        expect(commandLineOf(args).split(" ")).toEqual(args);
      }),
    );
  });
});
