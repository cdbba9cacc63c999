// `npm run bench:readme -- bench/results/<date>-<HHMM>-raw.json`: writes the README's
// Benchmarks table from that one run's raw JSON (bench/lib/readme-table.ts).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withTable } from "./lib/readme-table";

const rawPath = process.argv[2];
if (!rawPath || !/^bench\/results\/[\w-]+-raw\.json$/.test(rawPath)) {
  console.error("usage: npm run bench:readme -- bench/results/<date>-<HHMM>-raw.json");
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "..");
const readme = path.join(root, "README.md");
writeFileSync(readme, withTable(readFileSync(readme, "utf8"), JSON.parse(readFileSync(path.join(root, rawPath), "utf8")), rawPath));
console.log(`README.md: Benchmarks table from ${rawPath}`);
