import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { integrationLanes, usesVmLab } from "./integration-lanes.mjs";

describe("integration lanes", () => {
  it("keeps every file on the shared VM lab in the first lane, whatever their size", () => {
    const lanes = integrationLanes([
      { file: "a.int.test.ts", size: 10, vm: true },
      { file: "b.int.test.ts", size: 900, vm: false },
      { file: "c.int.test.ts", size: 10, vm: true },
      { file: "d.int.test.ts", size: 800, vm: false },
    ]);
    expect(lanes[0]).toEqual(expect.arrayContaining(["a.int.test.ts", "c.int.test.ts"]));
    expect(lanes[1]).not.toEqual(expect.arrayContaining(["a.int.test.ts"]));
    expect(lanes[1]).not.toEqual(expect.arrayContaining(["c.int.test.ts"]));
  });

  it("deals the rest out so the lanes carry about the same work, each file exactly once", () => {
    const files = [5, 90, 40, 40, 30, 20, 70, 10].map((size, i) => ({ file: `f${i}.int.test.ts`, size, vm: i === 0 }));
    const [one, two] = integrationLanes(files);
    expect([...one, ...two].sort()).toEqual(files.map((f) => f.file).sort());
    const work = (lane: string[]) => lane.reduce((sum, f) => sum + files.find((x) => x.file === f)!.size, 0);
    expect(Math.abs(work(one) - work(two))).toBeLessThanOrEqual(20);
  });

  it("knows a VM test by what it imports", () => {
    expect(usesVmLab('import { attach } from "@/e2e/lab/vm/shared-vm-lab";')).toBe(true);
    expect(usesVmLab('import { startLab } from "@/e2e/lab/lab";')).toBe(false);
  });
});
