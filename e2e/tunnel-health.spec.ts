// Tunnel health in the browser, on the tunnels tunnel-deploy.spec.ts deployed to the lab
// (Lab branch1 ↔ Lab hq on strongSwan, Lab branch3 ↔ Lab branch2 on CentOS/racoon): the
// overview shows them up on the map, a stopped charon turns its tunnel down with a
// reason within two poll intervals (GATEWARDEN_HEALTH_INTERVAL_SECONDS=3 in
// playwright.config.ts) and back up when it returns, and the tunnel page draws charts.
// Pages update live: no reload anywhere in this spec.
import { expect, test, type Page } from "@playwright/test";
import { execInRouter, requireLabState, startCharon, stopCharon, type LabState } from "./lab/lab";
import { E2E_LAB } from "./global-setup";
import { signInAdmin } from "./helpers";

test.describe.configure({ mode: "serial" });

const INTERVAL_MS = 3_000;
// The wizard makes the branch end A of its tunnel to the hub.
const STRONGSWAN = "Lab branch1 ↔ Lab hq";
const RACOON = "Lab branch3 ↔ Lab branch2";
let lab: LabState;
const ids = new Map<string, string>();

test.beforeAll(() => {
  lab = requireLabState(E2E_LAB);
});

/** The tunnel's id, read from its link in the tunnels table. */
async function tunnelIdOf(page: Page, name: string): Promise<string> {
  if (!ids.has(name)) {
    await page.goto("/tunnels");
    const href = await page.getByRole("link", { name, exact: true }).getAttribute("href");
    ids.set(name, href!.split("/").pop()!);
  }
  return ids.get(name)!;
}

async function restoreBranch1() {
  await startCharon(lab, "branch1");
  // A fresh charon knows no connections until they are loaded (what the router's boot does).
  await execInRouter(lab, "branch1", ["swanctl", "--load-all"]);
}

test("the overview shows the deployed lab tunnels up, on the map and in the counts", async ({ page }) => {
  await signInAdmin(page);
  for (const name of [STRONGSWAN, RACOON]) {
    await tunnelIdOf(page, name);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await expect(row.getByTestId("health-state")).toHaveText("up", { timeout: 30_000 });
  }
  await page.goto("/");
  await expect(page.getByTestId("topology-map")).toBeVisible();
  for (const name of [STRONGSWAN, RACOON]) {
    await expect(page.getByTestId(`rf__edge-${ids.get(name)}`)).toHaveClass(/health-up/);
  }
  expect(Number(await page.getByTestId("health-count-up").textContent())).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("needs-attention").getByRole("link", { name: STRONGSWAN })).toHaveCount(0);
});

test("a stopped charon turns its tunnel down with its reason within two polls, and up again when it returns", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAdmin(page);
  const id = await tunnelIdOf(page, STRONGSWAN);
  await page.goto("/");
  await expect(page.getByTestId(`rf__edge-${id}`)).toHaveClass(/health-up/);

  await stopCharon(lab, "branch1");
  try {
    const stoppedAt = Date.now();
    const item = page.getByTestId("attention-item").filter({ has: page.getByRole("link", { name: STRONGSWAN }) });
    // Two intervals for the poller, plus one round and one live-refresh tick of the page.
    await expect(item.getByTestId("health-state")).toHaveText("down", { timeout: 2 * INTERVAL_MS + 8_000 });
    console.log(`tunnel shown down ${Date.now() - stoppedAt} ms after charon stopped`);
    await expect(item.getByTestId("attention-reason")).toContainText("branch1-gw");
    await expect(item.getByTestId("attention-reason")).toContainText("100% loss");
    await expect(page.getByTestId(`rf__edge-${id}`)).toHaveClass(/health-down/);
    // The other tunnel is not affected.
    await expect(page.getByTestId(`rf__edge-${ids.get(RACOON)}`)).toHaveClass(/health-up/);
  } finally {
    await restoreBranch1();
  }
  await expect(page.getByTestId(`rf__edge-${id}`)).toHaveClass(/health-up/, { timeout: 45_000 });
  await expect(page.getByTestId("needs-attention").getByRole("link", { name: STRONGSWAN })).toHaveCount(0);
});

test("the tunnel page shows state, timeline, charts with data and both ends' routes and SAs", async ({ page }) => {
  await signInAdmin(page);
  const id = await tunnelIdOf(page, STRONGSWAN);
  await page.goto(`/tunnels/${id}`);
  const panel = page.getByTestId("health-panel");
  await expect(panel.getByTestId("health-state")).toHaveText("up", { timeout: 20_000 });
  await expect(page.getByTestId("health-reason")).toContainText("Up on both ends");
  // The outage of the previous test is on the timeline.
  await expect(page.getByTestId("health-timeline").locator('[data-state="down"]').first()).toBeAttached();
  for (const chart of ["chart-latency", "chart-traffic"]) {
    const figure = page.getByTestId(chart);
    await expect(figure.locator("svg.recharts-surface").first()).toBeVisible();
    expect(Number(await figure.getAttribute("data-points"))).toBeGreaterThan(2);
    await expect(figure.locator("path.recharts-curve").first()).toHaveAttribute("d", /^M[\d.]+,[\d.]+L|^M[\d.]+,[\d.]+C/);
  }
  // Each end's route to the other's LAN through libipsec's ipsec0 (table 220).
  for (const [from, to] of [[1, 0], [0, 1]] as const) {
    const route = `${lab.routers[to]!.lanCidr} dev ipsec0 table 220 proto static src ${lab.routers[from]!.lanAddress}`;
    await expect(page.getByTestId("health-routes").filter({ hasText: route })).toHaveCount(1);
  }
  await expect(page.getByTestId("health-sas").nth(0)).toContainText("INSTALLED");
  await expect(page.getByTestId("health-sas").nth(1)).toContainText("INSTALLED");
  // Live: a new sample arrives without a reload.
  const before = await page.getByTestId("chart-latency").getAttribute("data-points");
  await expect(page.getByTestId("chart-latency")).not.toHaveAttribute("data-points", before!, { timeout: 3 * INTERVAL_MS + 5_000 });
  // The map's edge opens the tunnel.
  await page.goto("/");
  await page.getByTestId(`rf__edge-${id}`).click();
  await expect(page).toHaveURL(new RegExp(`/tunnels/${id}$`));
});
