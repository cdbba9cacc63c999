// The heart of the product, in the browser: add branch offices against real lab
// routers, accept their host keys, deploy, and see LAN traffic cross the tunnel.
// The whole flow is this spec's point, so it seeds nothing but the signed-in admin; its
// routers are its own (support/lab-routers.ts), cleared before and after.
import type { Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { pingFromHost, requireLabState, type LabState, type RouterState } from "./lab/lab";
import { E2E_LAB } from "./global-setup";
import { fillWizard, submitWizard } from "./helpers";
import { expect, test } from "./support/fixtures";
import { LAB_ROUTERS, labGatewayOf, labSiteOf, resetLabRouters } from "./support/lab-routers";

test.describe.configure({ mode: "serial" });

let lab: LabState;
let key: string;
const router = (name: string) => lab.routers.find((r) => r.name === name)!;
const siteOf = (r: RouterState) => labSiteOf(r.name);
const gwOf = (r: RouterState) => labGatewayOf(r.name);

test.beforeAll(async () => {
  test.setTimeout(120_000); // tears down what an earlier spec run left deployed here
  lab = requireLabState(E2E_LAB);
  key = readFileSync(lab.managementKey.privateKeyPath, "utf8");
  await resetLabRouters(E2E_LAB, "tunnel-deploy");
});

test.afterAll(async () => {
  test.setTimeout(120_000); // tears both tunnels down on their routers
  await resetLabRouters(E2E_LAB, "tunnel-deploy");
});

async function addSite(page: Page, r: RouterState, hub: RouterState | null) {
  await fillWizard(page, {
    siteName: siteOf(r),
    subnets: r.lanCidr,
    gatewayName: gwOf(r),
    platform: r.platform,
    publicIp: r.publicIp,
    lanAddress: r.lanAddress,
    wanInterface: r.wanInterface,
    lanInterface: r.lanInterface,
    privateKey: key,
    role: hub ? "branch" : "hub",
    hub: hub ? `${gwOf(hub)} — ${siteOf(hub)} (${hub.publicIp})` : undefined,
  });
  await submitWizard(page);
  await expect(page.getByRole("heading", { name: siteOf(r) })).toBeVisible();
}

async function acceptHostKey(page: Page, r: RouterState) {
  await page.goto("/sites");
  await page.getByRole("link", { name: new RegExp(`^${gwOf(r)}`) }).click();
  await expect(page.getByTestId("pinned-host-key")).toHaveText("none");
  await page.getByRole("button", { name: "Check host key" }).click();
  // The admin compares what the gateway offers with what the router's console shows.
  await expect(page.getByTestId("offered-host-key")).toContainText(r.hostKeyFingerprint);
  await page.getByRole("button", { name: "Accept this key" }).click();
  await expect(page.getByTestId("pinned-host-key")).toHaveText(r.hostKeyFingerprint);
}

async function deployTunnelOf(page: Page, branch: RouterState) {
  await page.goto("/sites");
  await page.getByRole("link", { name: siteOf(branch), exact: true }).click();
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await expect(page.getByTestId("deploy-state")).toHaveText("pending");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByTestId("job-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("deploy-state")).toHaveText("deployed");
  const steps = page.getByTestId("job-steps");
  for (const step of ["connect to", "read current files on", "back up on", "upload to", "apply on", "verify"]) {
    await expect(steps).toContainText(step);
  }
}

for (const [platform, pair] of Object.entries(LAB_ROUTERS["tunnel-deploy"])) {
  test(`${platform}: wizard, host keys, deploy, and the branch LAN reaches the hub LAN`, async ({ adminPage: page }) => {
    test.setTimeout(120_000);
    const hub = router(pair.hub);
    const branch = router(pair.branch);
    await addSite(page, hub, null);
    await addSite(page, branch, hub);
    await acceptHostKey(page, hub);
    await acceptHostKey(page, branch);
    expect((await pingFromHost(lab, branch.name, hub.lanHost.ip, { count: 2 })).received).toBe(0);

    await deployTunnelOf(page, branch);
    const log = page.getByTestId("job-log");
    await expect(log).toContainText("ip route list:");
    await expect(log).toContainText(branch.lanCidr);
    if (platform === "centos-racoon") await expect(log).toContainText(`${branch.lanCidr} via ${hub.lanAddress}`);
    await expect(log).toContainText(/ping .* 0% packet loss/);
    expect((await pingFromHost(lab, branch.name, hub.lanHost.ip, { count: 3 })).received).toBe(3);
    // A successful deploy says nothing alarming: no line styled as an error or a warning (an
    // exit the platform expects is plain information), and no IKE race between the two ends.
    await expect(log.locator('[data-level="info"]').first()).toBeVisible();
    await expect(log.locator('[data-level="error"], [data-level="warn"]')).toHaveCount(0);
    await expect(log.locator(".text-red-300, .text-amber-200")).toHaveCount(0);
    await expect(log).not.toContainText(/NO_PROPOSAL_CHOSEN|existing duplicate/);
    await log.screenshot({ path: test.info().outputPath(`deploy-log-${platform}.png`) });
  });
}

test("the Jobs list names each deploy's tunnel, how long it ran and what it did, with one time format", async ({ adminPage: page }) => {
  await page.goto("/jobs");
  for (const pair of Object.values(LAB_ROUTERS["tunnel-deploy"])) {
    const tunnel = `${siteOf(router(pair.branch))} ↔ ${siteOf(router(pair.hub))}`;
    const row = page.getByTestId("job-row").filter({ has: page.getByTestId("job-target").getByText(tunnel, { exact: true }) });
    await expect(row.first()).toHaveAttribute("data-status", "succeeded");
    await expect(row.first().getByTestId("job-result")).toHaveText("Deployed 1 tunnel");
    await expect(row.first().getByTestId("job-duration")).toHaveText(/^\d+(\.\d)? s$/);
    const when = row.first().getByTestId("when");
    await expect(when).toHaveText(/ago$/);
    await expect(when).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  }
  await page.screenshot({ path: test.info().outputPath("jobs.png"), fullPage: true });
});
