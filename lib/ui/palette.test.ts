// Status colours must stay readable in both themes (WCAG 2 AA: 4.5:1 for text; map edge
// labels are drawn in the stroke colour, so strokes are held to the text ratio too), and
// the committed dark palette must be the one lib/ui/palette.ts makes from Tailwind.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEALTH_COLORS } from "@/components/health-badge";
import { contrastRatio, darkColors, darkPaletteCss, PALETTE_FAMILIES, themeColors } from "./palette";

const root = path.resolve(import.meta.dirname, "../..");
const themeCss = readFileSync(createRequire(import.meta.url).resolve("tailwindcss/theme.css"), "utf8");
const light = themeColors(themeCss);
const dark = new Map([...light, ...darkColors(light)]);
const THEMES = { light, dark };

/** "bg-green-100", "green-100", "var(--color-green-100)", "white" → the theme's value. */
function colour(theme: Map<string, string>, token: string): string {
  const name = token.replace(/^var\(--color-(.+)\)$/, "$1").replace(/^(bg|text|border)-/, "");
  const value = theme.get(name);
  if (!value) throw new Error(`unknown colour ${token}`);
  return value;
}

const AA = 4.5;

describe.each(Object.entries(THEMES))("%s theme", (_name, theme) => {
  it.each(Object.entries(HEALTH_COLORS))("the %s pill's text is readable on its background", (_state, c) => {
    const bg = c.pill.split(" ").find((k) => k.startsWith("bg-"))!;
    const fg = c.pill.split(" ").find((k) => k.startsWith("text-"))!;
    expect(contrastRatio(colour(theme, fg), colour(theme, bg))).toBeGreaterThanOrEqual(AA);
  });

  it.each(Object.entries(HEALTH_COLORS))(
    "the %s stroke (map edges, their labels, legend dots) stands out from cards and the page",
    (_state, c) => {
      for (const bg of ["white", "slate-50"]) {
        expect(contrastRatio(colour(theme, c.stroke), colour(theme, bg)), `on ${bg}`).toBeGreaterThanOrEqual(AA);
      }
    },
  );

  it.each([
    ["field errors", "red-700", "white"],
    ["refusals", "red-800", "red-50"],
    ["success messages", "green-800", "green-50"],
    ["warnings", "amber-900", "amber-50"],
    ["hints and reasons beside disabled controls", "slate-500", "white"],
    ["secondary text", "slate-600", "white"],
    ["links", "blue-800", "white"],
    ["primary buttons", "white", "blue-700"],
  ])("%s are readable", (_what, fg, bg) => {
    expect(contrastRatio(colour(theme, fg), colour(theme, bg))).toBeGreaterThanOrEqual(AA);
  });
});

describe("dark palette", () => {
  it("app/dark-palette.css is what scripts/dark-palette.ts makes from the installed Tailwind", () => {
    expect(readFileSync(path.join(root, "app/dark-palette.css"), "utf8")).toBe(darkPaletteCss(themeCss));
  });

  it("covers every colour family the app's classes use", () => {
    const used = new Set<string>();
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
      );
    for (const file of [...walk(path.join(root, "app")), ...walk(path.join(root, "components"))]) {
      for (const m of readFileSync(file, "utf8").matchAll(/\b(?:bg|text|border|ring|fill|stroke|divide|outline)-([a-z]+)-\d{2,3}\b/g))
        used.add(m[1]!);
    }
    expect([...used].filter((f) => !(PALETTE_FAMILIES as readonly string[]).includes(f))).toEqual([]);
  });
});
