import { describe, expect, it } from "vitest";
import { parseInterruptionArgs } from "./rotation-interruption";

describe("parseInterruptionArgs", () => {
  it("defaults to 3 rounds and reads --rounds", () => {
    expect(parseInterruptionArgs([])).toEqual({ rounds: 3 });
    expect(parseInterruptionArgs(["--rounds", "5"])).toEqual({ rounds: 5 });
    expect(parseInterruptionArgs(["--rounds=1"])).toEqual({ rounds: 1 });
  });

  it.each([
    [["--round", "5"], /Unknown option '--round'/],
    [["5"], /Unexpected argument '5'/],
    [["--rounds"], /argument missing/],
    [["--rounds", "0"], /--rounds wants a positive whole number/],
    [["--rounds", "three"], /--rounds wants a positive whole number/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseInterruptionArgs(argv)).toThrow(message);
  });
});
