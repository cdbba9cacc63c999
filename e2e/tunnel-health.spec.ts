// Tunnel health in the browser, on tunnels this spec seeds and deploys on its own lab
// routers (support/lab-routers.ts: a strongSwan pair and a CentOS/racoon pair, made as
// the wizard makes them, deployed by the app's job runner): the overview shows them
// up on the map, a stopped charon turns its tunnel down with a reason within two poll
// intervals (GATEWARDEN_HEALTH_INTERVAL_SECONDS=3 in playwright.config.ts) and back up
// when it returns, and the tunnel page draws charts.
// Pages update live: no reload anywhere in this spec.
import { execInRouter, getRouter, requireLabState, stopCharon, type LabState } from "./lab/lab";
import { startSshd } from "./lab/daemons";
import { E2E_LAB } from "./global-setup";
import { expect, test } from "./support/fixtures";
import { LAB_ROUTERS, labGatewayOf, labSiteOf, resetLabRouters, restartStoppedCharons, seedLabTunnels } from "./support/lab-routers";

test.describe.configure({ mode: "serial" });

const INTERVAL_MS = 3_000;
const SWAN = LAB_ROUTERS["tunnel-health"].strongswan;
const RACOON_PAIR = LAB_ROUTERS["tunnel-health"]["centos-racoon"];
// The wizard makes the branch end A of its tunnel to the hub.
const STRONGSWAN = `${labSiteOf(SWAN.branch)} ↔ ${labSiteOf(SWAN.hub)}`;
const RACOON = `${labSiteOf(RACOON_PAIR.branch)} ↔ ${labSiteOf(RACOON_PAIR.hub)}`;
let lab: LabState;
const ids = new Map<string, string>();

// adminSession: the admin exists (created on a fresh database) to own what is seeded.
test.beforeAll(async ({ adminSession: _admin }) => {
  test.setTimeout(180_000); // clears the routers, then deploys two tunnels
  lab = requireLabState(E2E_LAB);
  await resetLabRouters(E2E_LAB, "tunnel-health");
  const seeded = await seedLabTunnels(E2E_LAB, "tunnel-health", { deploy: true });
  for (const [pair, name] of [
    [SWAN, STRONGSWAN],
    [RACOON_PAIR, RACOON],
  ] as const) {
    ids.set(name, seeded.find((p) => p.branch === pair.branch)!.tunnelId);
  }
});

test.afterAll(async () => {
  test.setTimeout(120_000); // restarts a charon left stopped, tears both tunnels down
  await resetLabRouters(E2E_LAB, "tunnel-health");
});

test("the overview shows the deployed lab tunnels up, on the map and in the counts", async ({ adminPage: page }) => {
  await page.goto("/tunnels");
  for (const name of [STRONGSWAN, RACOON]) {
    await expect(page.getByRole("link", { name, exact: true })).toHaveAttribute("href", `/tunnels/${ids.get(name)}`);
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

test("a stopped charon turns its tunnel down with its reason within two polls, and up again when it returns", async ({
  adminPage: page,
}) => {
  test.setTimeout(120_000);
  const id = ids.get(STRONGSWAN)!;
  await page.goto("/");
  await expect(page.getByTestId(`rf__edge-${id}`)).toHaveClass(/health-up/);

  // The end that starts the tunnel (start_action = start; the other only answers): when its
  // charon comes back and loads its connections, it brings the tunnel up at once. (An answering
  // end that restarts waits for the starting end's dead-peer detection instead: README, Health.)
  const starts = async (router: string) =>
    (await execInRouter(lab, router, ["grep", "-rlq", "start_action = start", "/etc/swanctl/conf.d"])).code === 0;
  const starter = (await starts(SWAN.hub)) ? SWAN.hub : SWAN.branch;
  expect(await starts(starter)).toBe(true);
  await stopCharon(lab, starter);
  try {
    const stoppedAt = Date.now();
    const item = page.getByTestId("attention-item").filter({ has: page.getByRole("link", { name: STRONGSWAN }) });
    // Two intervals for the poller, plus one round and one live-refresh tick of the page.
    await expect(item.getByTestId("health-state")).toHaveText("down", { timeout: 2 * INTERVAL_MS + 8_000 });
    console.log(`tunnel shown down ${Date.now() - stoppedAt} ms after charon stopped`);
    await expect(item.getByTestId("attention-reason")).toContainText(labGatewayOf(starter));
    await expect(item.getByTestId("attention-reason")).toContainText("100% loss");
    await expect(page.getByTestId(`rf__edge-${id}`)).toHaveClass(/health-down/);
    // The other tunnel is not affected.
    await expect(page.getByTestId(`rf__edge-${ids.get(RACOON)}`)).toHaveClass(/health-up/);
  } finally {
    // Charon back, with its connections loaded (a fresh charon knows none: the router's boot loads them).
    await restartStoppedCharons(lab, [starter]);
  }
  await expect(page.getByTestId(`rf__edge-${id}`)).toHaveClass(/health-up/, { timeout: 45_000 });
  await expect(page.getByTestId("needs-attention").getByRole("link", { name: STRONGSWAN })).toHaveCount(0);
});

test("the tunnel page shows state, timeline, charts with data and both ends' routes and SAs", async ({ adminPage: page }) => {
  const id = ids.get(STRONGSWAN)!;
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
    // A drawn line: at least one segment (a sample without a value, e.g. right after the outage, leaves a gap).
    await expect(figure.locator("path.recharts-curve").first()).toHaveAttribute("d", /M[\d.]+,[\d.]+[LC]/);
  }
  // Each end's route to the other's LAN through libipsec's ipsec0 (table 220).
  const [hub, branch] = [getRouter(lab, SWAN.hub), getRouter(lab, SWAN.branch)];
  for (const [from, to] of [
    [branch, hub],
    [hub, branch],
  ] as const) {
    const route = `${to.lanCidr} dev ipsec0 table 220 proto static src ${from.lanAddress}`;
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

test("a dead sshd listener: the gateway's badge says management broken while its tunnel stays up", async ({ adminPage: page }) => {
  test.setTimeout(120_000);
  const id = ids.get(STRONGSWAN)!;
  const branch = labGatewayOf(SWAN.branch);
  await page.goto(`/tunnels/${id}`);
  const badge = page.locator(`[data-testid="management-state"][data-gateway="${branch}"]`);
  await expect(badge).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
  // The listener only (by its PID file): the session health holds keeps working, as after an sshd crash.
  const killed = await execInRouter(lab, SWAN.branch, ["sh", "-c", 'kill -TERM "$(cat /run/sshd.pid)"']);
  expect(killed.code).toBe(0);
  try {
    // A fresh connection at least every 10 s (playwright.config.ts), then one round and one live refresh.
    await expect(badge).toHaveAttribute("data-state", "unreachable", { timeout: 30_000 });
    await expect(badge).toHaveText("management broken: SSH unreachable");
    await expect(page.getByTestId("health-panel").getByTestId("health-state")).toHaveText("up");
  } finally {
    await startSshd(getRouter(lab, SWAN.branch));
  }
  // Broken access is checked every round: the badge clears once sshd is back.
  await expect(badge).toHaveAttribute("data-state", "ok", { timeout: 30_000 });
});
