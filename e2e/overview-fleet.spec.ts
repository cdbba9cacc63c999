// The overview and the long lists at fleet scale, as an admin with many branch offices
// meets them: a made-up hub with 72 branches (e2e/support/made-up-fleet.ts, removed
// afterwards) turns the topology map into hubs with their spokes counted by health,
// the attention list stops at the 50 worst with a link to the rest, and the site and
// tunnel lists come in pages.
import type { Page } from "@playwright/test";
import { runInApp } from "./support/app-process";
import { expect, test } from "./support/fixtures";
import { FLEET_HUB_GATEWAY, FLEET_HUB_SITE, fleetBranchSite, fleetStateOf, type MadeUpFleet } from "./support/made-up-fleet";

test.describe.configure({ mode: "serial" });

const BRANCHES = 72;
let fleet: MadeUpFleet;

// adminSession: the admin the fleet's audit rows name exists (created on a fresh database).
test.beforeAll(async ({ adminSession: _admin }) => {
  test.setTimeout(180_000);
  fleet = await runInApp<MadeUpFleet>("made-up-fleet.ts", ["add", String(BRANCHES)]);
});

test.afterAll(async () => {
  await runInApp("made-up-fleet.ts", ["remove"]);
});

const count = async (page: Page, state: string) => Number(await page.getByTestId(`health-count-${state}`).textContent());
const fleetOf = (state: string) => Array.from({ length: BRANCHES }, (_, i) => fleetStateOf(i + 1)).filter((s) => s === state).length;

test("the overview shows the 50 worst tunnels, the longest-standing first, and links to the rest", async ({ adminPage: page }) => {
  await page.goto("/");
  const items = page.getByTestId("attention-item");
  await expect(items).toHaveCount(50);
  // Down before unreachable and degraded; branch 3 is the fleet's longest-standing down tunnel.
  await expect(items.first().getByTestId("health-state")).toHaveText("down");
  await expect(items.first().getByRole("link")).toHaveText(`${fleetBranchSite(3)} ↔ ${FLEET_HUB_SITE}`);
  // 12 down and 24 unreachable fleet tunnels come first; degraded ones fill the 50.
  await expect(items.last().getByTestId("health-state")).toHaveText("degraded");
  const total = (await count(page, "down")) + (await count(page, "unreachable")) + (await count(page, "degraded"));
  expect(total).toBeGreaterThanOrEqual(fleetOf("down") + fleetOf("unreachable") + fleetOf("degraded"));
  await expect(page.getByTestId("attention-more")).toHaveText(`and ${total - 50} more`);

  await page.getByTestId("attention-more").click();
  await expect(page).toHaveURL(/\/tunnels\?health=attention$/);
  await expect(page.getByTestId("page-range")).toHaveText(`1–50 of ${total} tunnels that need attention`);
  const states = page.getByTestId("tunnel-table").getByTestId("health-state");
  await expect(states).toHaveCount(50);
  for (const s of await states.allTextContents()) expect(["down", "unreachable", "degraded"]).toContain(s);
  await page.getByRole("link", { name: "Next", exact: true }).click();
  await expect(page).toHaveURL(/\/tunnels\?health=attention&page=2$/);
  await expect(page.getByTestId("page-range")).toHaveText(`51–${total} of ${total} tunnels that need attention`);
  await expect(states).toHaveCount(total - 50);
});

test("past 60 gateways the map shows the hub with its spokes counted by health; a count opens them", async ({ adminPage: page }) => {
  await page.goto("/");
  await expect(page.getByTestId("topology-map")).toHaveAttribute("data-mode", "aggregated");
  await expect(page.getByTestId(`rf__node-${fleet.hubGatewayId}`)).toContainText(
    `${FLEET_HUB_SITE} · ${FLEET_HUB_GATEWAY} (${BRANCHES} tunnels)`,
  );
  for (const state of ["up", "down", "unreachable", "degraded"]) {
    await expect(page.getByTestId(`rf__node-group:${fleet.hubGatewayId}:${state}`)).toHaveText(`${fleetOf(state)} ${state}`);
  }
  // No node per branch.
  expect(await page.getByTestId("topology-map").locator(".react-flow__node").count()).toBeLessThan(20);

  await page.getByTestId(`rf__node-group:${fleet.hubGatewayId}:down`).click();
  await expect(page).toHaveURL(new RegExp(`/tunnels\\?gateway=${fleet.hubGatewayId}&health=down$`));
  await expect(page.getByTestId("page-range")).toHaveText(
    `1–${fleetOf("down")} of ${fleetOf("down")} down tunnels of ${FLEET_HUB_GATEWAY} (${FLEET_HUB_SITE})`,
  );
  const states = page.getByTestId("tunnel-table").getByTestId("health-state");
  await expect(states).toHaveCount(fleetOf("down"));
  for (const s of await states.allTextContents()) expect(s).toBe("down");
});

test("the site list comes in pages of 50, and the overview names the busiest sites", async ({ adminPage: page }) => {
  await page.goto("/");
  const sites = Number(await page.getByTestId("count-sites").textContent());
  await expect(page.getByTestId("overview-sites").getByRole("link").first()).toHaveText(FLEET_HUB_SITE);
  await expect(page.getByTestId("overview-sites").getByRole("link")).toHaveCount(10);

  await page.getByRole("link", { name: "All sites", exact: true }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByTestId("page-range")).toHaveText(`1–50 of ${sites} sites`);
  const names = page.getByTestId("site-table").locator("tbody tr td:first-child");
  await expect(names).toHaveCount(50);
  const first = await names.allTextContents();
  await page.getByRole("link", { name: "Next", exact: true }).click();
  await expect(page).toHaveURL(/\/sites\?page=2$/);
  await expect(page.getByTestId("page-range")).toHaveText(`51–${Math.min(100, sites)} of ${sites} sites`);
  const second = await names.allTextContents();
  expect(second.length).toBe(Math.min(100, sites) - 50);
  expect(second.filter((n) => first.includes(n))).toEqual([]);
  await page.getByRole("link", { name: "Previous", exact: true }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(names.first()).toHaveText(first[0]!);
});
