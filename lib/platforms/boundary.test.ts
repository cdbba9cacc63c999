// The platform contract holds in fact: outside lib/platforms no production code names a
// platform id or reads a command's argv to guess what it does. Platform knowledge goes
// through the contract (capabilities, command scope and expected exits, key-switch and
// status operations), so a new platform is its own folder plus one registry line.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PLATFORM_IDS } from "./index";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Production code; tests and test support may name platforms to set up cases. */
const CHECKED = ["lib", "app", "components", "scripts", "bench/lib", "instrumentation.ts"];
/** The benchmark builds a lab of strongSwan routers by the lab's own platform names; it still may not read argv. */
const IDS_ALLOWED = [`bench${path.sep}`];
const isTest = (file: string) => /\.test\.tsx?$/.test(file) || file.includes("test-support") || file.includes("__fixtures__");
/** Lab tooling: records what the lab's emulated platforms print, so it drives each one by name. */
const LAB_TOOLING = [path.join("scripts", "recording") + path.sep, path.join("scripts", "record-router-output.ts")];

function sourceFiles(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (statSync(abs).isFile()) return [rel];
  return readdirSync(abs, { withFileTypes: true }).flatMap((d) => {
    const child = path.join(rel, d.name);
    if (d.isDirectory()) return d.name === "node_modules" || d.name === "generated" ? [] : sourceFiles(child);
    return /\.(ts|tsx|mjs)$/.test(d.name) ? [child] : [];
  });
}

/** Code lines only: comments may explain what a platform does. */
function codeLines(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  let inBlock = false;
  text.split("\n").forEach((raw, i) => {
    let code = raw;
    if (inBlock) {
      const end = code.indexOf("*/");
      if (end < 0) return;
      code = code.slice(end + 2);
      inBlock = false;
    }
    code = code.replace(/\/\*.*?\*\//g, "");
    const start = code.indexOf("/*");
    if (start >= 0) {
      inBlock = true;
      code = code.slice(0, start);
    }
    code = code.replace(/(^|[^:"'`])\/\/.*$/, "$1");
    if (code.trim()) out.push({ line: i + 1, code });
  });
  return out;
}

const PLATFORM_ID = new RegExp(`["'\`](${[...PLATFORM_IDS, "libreswan"].join("|")})["'\`]`);
/** A command's argv read to decide what it is (process.argv, a program's own arguments, is not that). */
const ARGV_INSPECTION = /(?<!process)\.argv\s*\[\s*\d+\s*\]|(?<!process)\.argv\.(includes|some|find|findIndex|indexOf|join\([^)]*\)\s*===)/;

export function findLeaks(files: { file: string; text: string }[]): string[] {
  return files.flatMap(({ file, text }) =>
    codeLines(text)
      .filter(({ code }) => (PLATFORM_ID.test(code) && !IDS_ALLOWED.some((p) => file.startsWith(p))) || ARGV_INSPECTION.test(code))
      .map(({ line, code }) => `${file}:${line}: ${code.trim()}`),
  );
}

describe("platform boundary", () => {
  it("no production file outside lib/platforms names a platform id or inspects a command's argv", () => {
    const files = CHECKED.flatMap(sourceFiles)
      .filter((f) => !f.startsWith(`lib${path.sep}platforms${path.sep}`) && !isTest(f) && !LAB_TOOLING.some((t) => f.startsWith(t)))
      .map((file) => ({ file, text: readFileSync(path.join(ROOT, file), "utf8") }));
    expect(files.length).toBeGreaterThan(100);
    expect(findLeaks(files)).toEqual([]);
  });

  it("catches both kinds of leak, and not comments", () => {
    const leaks = findLeaks([
      {
        file: "a.ts",
        text: 'if (gw.platform === "centos-racoon") x();\n// the "strongswan" platform does y\nconst k = c.argv[0] === "swanctl";\nc.argv.includes("--load-creds")\nprocess.argv.includes("--dev")',
      },
    ]);
    expect(leaks.map((l) => l.split(":")[1])).toEqual(["1", "3", "4"]);
  });
});
