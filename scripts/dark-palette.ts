// Writes app/dark-palette.css from the installed Tailwind's colours (see lib/ui/palette.ts).
// Run after upgrading tailwindcss: npx tsx scripts/dark-palette.ts
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { darkPaletteCss } from "../lib/ui/palette";

const themeCss = readFileSync(createRequire(import.meta.url).resolve("tailwindcss/theme.css"), "utf8");
writeFileSync(new URL("../app/dark-palette.css", import.meta.url), darkPaletteCss(themeCss));
