// The database is reached through lib/db only: no production code outside it runs a
// query of its own (getDb()), so every query can be found, reviewed and tested in one place.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CHECKED = ["lib", "app", "components", "scripts"];
const isTest = (f: string) => /\.test\.tsx?$/.test(f) || f.includes("test-support");

function files(rel: string): string[] {
  return readdirSync(path.join(ROOT, rel), { withFileTypes: true }).flatMap((d) => {
    const child = path.join(rel, d.name);
    if (d.isDirectory()) return d.name === "generated" ? [] : files(child);
    return /\.(ts|tsx|mjs)$/.test(d.name) && !isTest(child) ? [child] : [];
  });
}

describe("database boundary", () => {
  it("no production code outside lib/db calls getDb()", () => {
    const offenders = CHECKED.flatMap(files)
      .filter((f) => !f.startsWith(`lib${path.sep}db${path.sep}`))
      .filter((f) => /\bgetDb\(/.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
