// Dark mode as a person meets it: the system's preference is followed until they pick a
// theme beside their account, the pick is remembered in this browser across reloads, and
// the status pills keep a readable contrast (measured on the rendered page, WCAG AA
// 4.5:1). Screenshots of the overview and a tunnel page in dark mode land in the test
// output. Runs on a made-up fleet with every health state (never deployed, removed after).
import type { Page } from "@playwright/test";
import { parse, wcagContrast } from "culori";
import { runInApp } from "./support/app-process";
import { expect, test } from "./support/fixtures";
import type { MadeUpFleet } from "./support/made-up-fleet";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ adminSession: _admin }) => {
  await runInApp<MadeUpFleet>("made-up-fleet.ts", ["add", "6"]);
});

test.afterAll(async () => {
  await runInApp("made-up-fleet.ts", ["remove"]);
});

const theme = (page: Page) => page.locator("html");
/** The page background's relative luminance: near 0 is dark, near 1 light. */
async function backgroundLuminance(page: Page): Promise<number> {
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  return wcagContrast(parse(bg)!, "black") / 21;
}

/** Each health pill's text against its own background, as the browser drew them. */
async function pillContrasts(page: Page): Promise<{ state: string; ratio: number }[]> {
  const pills = await page.getByTestId("health-state").evaluateAll((els) =>
    els.map((el) => {
      const s = getComputedStyle(el);
      return { state: el.getAttribute("data-state") ?? "", fg: s.color, bg: s.backgroundColor };
    }),
  );
  return pills.map((p) => ({ state: p.state, ratio: wcagContrast(parse(p.fg)!, parse(p.bg)!) }));
}

test("the overview and a tunnel page follow a dark system theme, with readable status colours", async ({ adminPage: page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  await expect(theme(page)).toHaveAttribute("data-theme", "dark");
  expect(await backgroundLuminance(page)).toBeLessThan(0.1);
  await expect(page.getByTestId("topology-map").locator(".react-flow.dark")).toBeVisible();
  const pills = await pillContrasts(page);
  expect(new Set(pills.map((p) => p.state)).size, "pills of several states").toBeGreaterThanOrEqual(3);
  for (const p of pills) expect(p.ratio, `${p.state} pill`).toBeGreaterThanOrEqual(4.5);
  await page.waitForTimeout(300); // the map fits its view after measuring the nodes
  await page.screenshot({ path: test.info().outputPath("dark-overview.png"), fullPage: true });

  await page.goto("/tunnels");
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await page.waitForURL(/\/tunnels\/[^/]+$/);
  await expect(theme(page)).toHaveAttribute("data-theme", "dark");
  for (const p of await pillContrasts(page)) expect(p.ratio, `${p.state} pill`).toBeGreaterThanOrEqual(4.5);
  await page.screenshot({ path: test.info().outputPath("dark-tunnel.png"), fullPage: true });
});

test("a theme picked beside the account overrides the system and is remembered across reloads", async ({ adminPage: page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  const picker = page.locator("#theme");
  await expect(picker).toHaveValue("system");
  await picker.selectOption("light");
  await expect(theme(page)).toHaveAttribute("data-theme", "light");
  expect(await backgroundLuminance(page)).toBeGreaterThan(0.8);
  await page.reload();
  await expect(theme(page)).toHaveAttribute("data-theme", "light");
  await expect(page.locator("#theme")).toHaveValue("light");

  // A light system with the person's dark pick: dark.
  await page.emulateMedia({ colorScheme: "light" });
  await page.locator("#theme").selectOption("dark");
  await expect(theme(page)).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(theme(page)).toHaveAttribute("data-theme", "dark");
  await page.screenshot({ path: test.info().outputPath("dark-picked.png"), fullPage: true });

  // Back to the system's choice, which is followed live.
  await page.locator("#theme").selectOption("system");
  await expect(theme(page)).toHaveAttribute("data-theme", "light");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(theme(page)).toHaveAttribute("data-theme", "dark");
});
