// The heart of the product, in the browser: add branch offices against real lab
// routers, accept their host keys, deploy, and see LAN traffic cross the tunnel.
import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { pingFromHost, requireLabState, type LabState, type RouterState } from "./lab/lab";
import { E2E_LAB } from "./global-setup";
import { fillWizard, signInAdmin, submitWizard } from "./helpers";

test.describe.configure({ mode: "serial" });

let lab: LabState;
let key: string;
const router = (name: string) => lab.routers.find((r) => r.name === name)!;
const siteOf = (r: RouterState) => `Lab ${r.name}`;
const gwOf = (r: RouterState) => `lab-${r.name}-gw`;

test.beforeAll(() => {
  lab = requireLabState(E2E_LAB);
  key = readFileSync(lab.managementKey.privateKeyPath, "utf8");
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

for (const [platform, hubName, branchName] of [
  ["strongswan", "hq", "branch1"],
  ["centos-racoon", "branch2", "branch3"],
] as const) {
  test(`${platform}: wizard, host keys, deploy, and the branch LAN reaches the hub LAN`, async ({ page }) => {
    test.setTimeout(120_000);
    const hub = router(hubName);
    const branch = router(branchName);
    await signInAdmin(page); // creates the admin when this spec runs alone on a fresh database
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
  });
}
