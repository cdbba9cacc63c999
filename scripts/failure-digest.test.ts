import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { digest, playwrightFailures, tail, vitestFailures } from "./failure-digest.mjs";

const ROOT = "/check/work/main";

describe("the failure digest at the end of npm test", () => {
  it("lists a vitest report's failed tests with the first line of each error", () => {
    const report = {
      testResults: [
        {
          name: `${ROOT}/lib/deploy/vm-centos.int.test.ts`,
          status: "failed",
          assertionResults: [
            { status: "passed", fullName: "fine" },
            {
              status: "failed",
              fullName: "a CentOS pair comes up on kernel IPsec",
              failureMessages: ["\u001b[31mError: namespaces already exist\u001b[39m\n    at refuseExistingNamespaces (build.ts:179)"],
            },
          ],
        },
        { name: `${ROOT}/e2e/lab/vm/vm-lab.int.test.ts`, status: "failed", message: "beforeAll: hook timed out", assertionResults: [] },
        { name: `${ROOT}/lib/ok.int.test.ts`, status: "passed", assertionResults: [{ status: "passed", fullName: "x" }] },
      ],
    };
    const failures = vitestFailures(report);
    expect(failures).toEqual([
      {
        test: `${ROOT}/lib/deploy/vm-centos.int.test.ts › a CentOS pair comes up on kernel IPsec`,
        error: "Error: namespaces already exist",
      },
      { test: `${ROOT}/e2e/lab/vm/vm-lab.int.test.ts`, error: "beforeAll: hook timed out" },
    ]);
    expect(digest([{ label: "vitest integration lane 1 (30 files)", failures }], ROOT)).toEqual([
      '--- why "vitest integration lane 1 (30 files)" failed:',
      "  ✘ lib/deploy/vm-centos.int.test.ts › a CentOS pair comes up on kernel IPsec",
      "      Error: namespaces already exist",
      "  ✘ e2e/lab/vm/vm-lab.int.test.ts",
      "      beforeAll: hook timed out",
    ]);
  });

  it("repeats the last lines of a part that failed without a report, such as the VM lab's boot", () => {
    const out = "lab gwtest-vmlab: WAN 198.19.78.0/24\n\n" + "x\n".repeat(20) + "VM lab gwtest-vmlab: namespaces already exist\n";
    const lines = tail(out);
    expect(lines).toHaveLength(12);
    expect(lines.at(-1)).toBe("VM lab gwtest-vmlab: namespaces already exist");
    expect(digest([{ label: "vm lab up", tail: ["VM lab gwtest-vmlab: namespaces already exist"] }], ROOT)).toEqual([
      '--- why "vm lab up" failed:',
      "  | VM lab gwtest-vmlab: namespaces already exist",
    ]);
  });

  it("lists a Playwright report's unexpected tests, found in nested suites", () => {
    const report = {
      suites: [
        {
          title: "vm-libreswan.spec.ts",
          specs: [
            {
              title: "a Libreswan branch through the wizard",
              file: "vm-libreswan.spec.ts",
              line: 64,
              tests: [
                { status: "unexpected", results: [{ status: "failed", error: { message: "Error: namespaces already exist\n  at x" } }] },
              ],
            },
            { title: "fine", file: "vm-libreswan.spec.ts", line: 90, tests: [{ status: "expected", results: [] }] },
          ],
          suites: [
            { title: "inner", specs: [{ title: "flaky one", file: "a.spec.ts", line: 3, tests: [{ status: "flaky", results: [] }] }] },
          ],
        },
      ],
    };
    expect(playwrightFailures(report)).toEqual([
      { test: "vm-libreswan.spec.ts:64 › a Libreswan branch through the wizard", error: "Error: namespaces already exist" },
    ]);
  });

  it("stays short: at most twelve tests, and long lines cut", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ test: `t${i}`, error: "e" }));
    const lines = digest([{ label: "e2e", failures: many }], ROOT);
    expect(lines).toHaveLength(1 + 12 * 2 + 1);
    expect(lines.at(-1)).toBe("  … and 18 more");
    expect(tail("y".repeat(1000))[0]).toHaveLength(300);
  });
});
