import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { freeVmLabName, parseNetnsList } from "./vm-lab-name.mjs";

// What `ip netns list` printed while a killed run's VM lab was still up (this session's machine).
const LEFT_BEHIND = `gwtest-vmlab-branch5-lan
gwtest-vmlab-wan (id: 0)
gwtest-vmlab-branch3-lan
gwtest-vmlab-hq-lan
gwt-7f3a-wan (id: 1)
`;

describe("the shared VM lab's name", () => {
  it("is the default on a machine with no lab of that name", () => {
    expect(freeVmLabName("gwtest-vmlab", parseNetnsList("gwt-7f3a-wan (id: 1)\n"), () => false)).toBe("gwtest-vmlab");
    expect(freeVmLabName("gwtest-vmlab", [], () => false)).toBe("gwtest-vmlab");
  });

  it("moves past a lab another clone left up, whose ledger this clone cannot see", () => {
    expect(freeVmLabName("gwtest-vmlab", parseNetnsList(LEFT_BEHIND), () => false)).toBe("gwtest-vmlab2");
    const two = [...parseNetnsList(LEFT_BEHIND), "gwtest-vmlab2-wan"];
    expect(freeVmLabName("gwtest-vmlab", two, () => false)).toBe("gwtest-vmlab3");
  });

  it("keeps its own lab's name: the lab code replaces or reuses a lab whose ledger is here", () => {
    expect(freeVmLabName("gwtest-vmlab", parseNetnsList(LEFT_BEHIND), (n: string) => n === "gwtest-vmlab")).toBe("gwtest-vmlab");
  });

  it("says so when every name is taken", () => {
    const all = ["gwtest-vmlab-wan", ...[2, 3, 4, 5, 6, 7, 8, 9].map((i) => `gwtest-vmlab${i}-wan`)];
    expect(() => freeVmLabName("gwtest-vmlab", all, () => false)).toThrow(/no free VM lab name/);
  });

  it("reads names, not ids, from ip netns list", () => {
    expect(parseNetnsList(LEFT_BEHIND)).toEqual([
      "gwtest-vmlab-branch5-lan",
      "gwtest-vmlab-wan",
      "gwtest-vmlab-branch3-lan",
      "gwtest-vmlab-hq-lan",
      "gwt-7f3a-wan",
    ]);
  });
});
