// The README's Configuration tables name every variable the product and its tests read,
// so a new setting cannot ship undocumented.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const SCANNED = ["lib", "app", "components", "scripts", "e2e", "bench", "proxy.ts", "instrumentation.ts", "playwright.config.ts"];
const SKIPPED_DIRS = new Set(["node_modules", "generated", "__recorded__", "__golden__", "__fixtures__", "results"]);
// Set by one test for the child processes it starts, never by a person.
const INTERNAL = new Set(["GATEWARDEN_TEST_INSTANCE", "GATEWARDEN_TEST_CONCURRENCY"]);

function sources(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { withFileTypes: true }).flatMap((d) => {
    if (d.isDirectory()) return SKIPPED_DIRS.has(d.name) ? [] : sources(path.join(entry, d.name));
    return /\.(ts|tsx|mjs)$/.test(d.name) && !/\.test\.ts$/.test(d.name) ? [path.join(full, d.name)] : [];
  });
}

function configurationSection(readme: string): string {
  const start = readme.indexOf("\n## Configuration\n");
  expect(start, "README has a ## Configuration section").toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe("README configuration", () => {
  it("documents every GATEWARDEN_ variable the code reads, in a table row of its own", () => {
    const names = new Set<string>();
    for (const file of SCANNED.flatMap(sources)) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bGATEWARDEN_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
    }
    const section = configurationSection(readFileSync(path.join(ROOT, "README.md"), "utf8"));
    const undocumented = [...names].filter((n) => !INTERNAL.has(n) && !section.includes(`| \`${n}\` |`)).sort();
    expect(undocumented).toEqual([]);
    expect(names.size).toBeGreaterThan(10); // the scan found the code
  });

  it("documents the plain variables people set", () => {
    const section = configurationSection(readFileSync(path.join(ROOT, "README.md"), "utf8"));
    for (const n of ["PORT", "HOST", "DATABASE_URL", "LOG_LEVEL", "E2E_PORT", "E2E_LAB", "CHROMIUM_PATH"]) {
      expect(section).toContain(`| \`${n}\` |`);
    }
  });
});
