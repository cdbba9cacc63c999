import { describe, expect, it } from "vitest";
import { parseProcStat, treeTicks, type ProcStat } from "./proc-cpu";

describe("parseProcStat", () => {
  it("reads the parent and utime + stime + cutime + cstime, with spaces and parentheses in the command name", () => {
    const line = "4242 (sshd: root (priv)) S 17 4242 4242 0 -1 4194560 300 0 0 0 7 3 20 10 20 0 1 0 12345 0 0";
    expect(parseProcStat(line)).toEqual({ ppid: 17, ticks: 7 + 3 + 20 + 10 });
  });
});

describe("treeTicks", () => {
  const stats = new Map<number, ProcStat>([
    [1, { ppid: 0, ticks: 1000 }], // init: not under the roots
    [10, { ppid: 1, ticks: 5 }], // a router's sshd
    [11, { ppid: 10, ticks: 7 }], // its live session
    [12, { ppid: 11, ticks: 3 }], // a command the session runs
    [20, { ppid: 1, ticks: 4 }], // charon
    [30, { ppid: 1, ticks: 99 }], // another process on the machine
  ]);

  it("counts the roots and every live descendant once, and nothing else", () => {
    expect(treeTicks(stats, [10, 20])).toBe(5 + 7 + 3 + 4);
    expect(treeTicks(stats, [10, 10, 11])).toBe(5 + 7 + 3);
  });

  it("skips a root that is gone", () => {
    expect(treeTicks(stats, [99, 20])).toBe(4);
  });
});
