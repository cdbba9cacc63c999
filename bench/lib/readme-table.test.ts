import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { namedRaw, withTable } from "./readme-table";

const root = path.resolve(import.meta.dirname, "../..");

describe("README Benchmarks table", () => {
  it("is the table generated from the raw JSON it names (npm run bench:readme)", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const rawPath = namedRaw(readme);
    expect(rawPath).toMatch(/^bench\/results\/.+-raw\.json$/);
    const raw = JSON.parse(readFileSync(path.join(root, rawPath!), "utf8"));
    expect(withTable(readme, raw, rawPath!)).toBe(readme);
  });

  it("a number edited by hand in the table is caught", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const rawPath = namedRaw(readme)!;
    const raw = JSON.parse(readFileSync(path.join(root, rawPath), "utf8"));
    const edited = readme.replace(/\| fleet deploy \| [\d.]+ s/, "| fleet deploy | 0.01 s");
    expect(edited).not.toBe(readme);
    expect(withTable(edited, raw, rawPath)).not.toBe(edited);
  });
});
