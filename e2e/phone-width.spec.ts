// At phone width (390 px) the console stays usable: the sidebar folds into a Menu
// button, and the overview, a tunnel page and the wizard fit the screen (no sideways
// scrolling of the page; wide tables and files scroll inside their own boxes).
// Screenshots of each land in the test output. Runs on a made-up fleet.
import type { Page } from "@playwright/test";
import { runInApp } from "./support/app-process";
import { expect, test } from "./support/fixtures";
import type { MadeUpFleet } from "./support/made-up-fleet";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ adminSession: _admin }) => {
  await runInApp<MadeUpFleet>("made-up-fleet.ts", ["add", "3"]);
});

test.afterAll(async () => {
  await runInApp("made-up-fleet.ts", ["remove"]);
});

async function expectFitsTheScreen(page: Page, what: string) {
  await page.waitForLoadState("networkidle");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${what}: the page is no wider than the phone`).toBeLessThanOrEqual(390);
  await page.screenshot({ path: test.info().outputPath(`phone-${what}.png`), fullPage: true });
}

test("at 390 px the menu folds, and the overview, a tunnel page and the wizard fit the screen", async ({ adminPage: page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  // The sidebar is folded away; the menu opens, and closes once a link is followed.
  const menu = page.getByTestId("mobile-menu");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expectFitsTheScreen(page, "overview");
  await menu.getByText("Menu").click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(menu.getByTestId("mobile-current-user")).toHaveText("admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tunnels" }).click();
  await expect(page.getByRole("heading", { name: "Tunnels" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expectFitsTheScreen(page, "tunnels");

  await page
    .getByRole("link", { name: /Fleet branch 001/ })
    .first()
    .click();
  await page.waitForURL(/\/tunnels\/[^/]+$/);
  await expectFitsTheScreen(page, "tunnel");

  await page.goto("/sites/new");
  await expect(page.getByLabel("Site name")).toBeVisible();
  await expectFitsTheScreen(page, "wizard");
});
