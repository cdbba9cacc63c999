import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "./run-args";

describe("parseBenchArgs", () => {
  it("defaults to 20 spokes, 3 runs, every part", () => {
    expect(parseBenchArgs([])).toEqual({ spokes: 20, runs: 3, ansible: true, fleet: true, interruption: true, overview: true, pin: true });
  });

  it("reads every option, in either --name value or --name=value form", () => {
    expect(
      parseBenchArgs(["--spokes", "40", "--runs=5", "--skip-ansible", "--skip-fleet", "--skip-interruption", "--skip-overview"]),
    ).toEqual({
      spokes: 40,
      runs: 5,
      ansible: false,
      fleet: false,
      interruption: false,
      overview: false,
      pin: true,
    });
    expect(parseBenchArgs(["--no-pin"]).pin).toBe(false);
  });

  it("reads the Ansible columns to run", () => {
    expect(parseBenchArgs(["--columns", "f21,expert-f5,mitogen-f21"]).columns).toEqual([
      { style: "straightforward", forks: 21 },
      { style: "expert", forks: 5 },
      { style: "mitogen", forks: 21 },
    ]);
  });

  it.each([
    [["--columns", "expert-5"], /--columns: "expert-5" is not a column/],
    [["--spoke", "40"], /Unknown option '--spoke'/],
    [["--skip-ansibel"], /Unknown option '--skip-ansibel'/],
    [["40"], /Unexpected argument '40'/],
    [["--spokes"], /argument missing/],
    [["--spokes", "0"], /--spokes wants a positive whole number/],
    [["--spokes", "2.5"], /--spokes wants a positive whole number/],
    [["--runs", "many"], /--runs wants a positive whole number/],
    [["--spokes", "151"], /--spokes at most 150/],
    [["--skip-fleet=yes"], /does not take an argument/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
