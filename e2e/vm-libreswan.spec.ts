// A Libreswan branch office on a real-kernel router, in the browser: the wizard adds a
// strongSwan hub and a Libreswan branch on the run's VM lab (QEMU routers with Debian's
// kernel: XFRM IPsec, Libreswan 4.10), host keys accepted, deploy, the LAN hosts reach
// each other through kernel ESP, health says up, and one click rotates the key.
import type { Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { execInRouter, pingFromHost, type LabState, type RouterState } from "./lab/lab";
import { attachSharedVmLab, resetVmRouters, type SharedVmLab } from "./lab/vm/shared-vm-lab";
import { fillWizard, submitWizard } from "./helpers";
import { expect, test } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

let shared: SharedVmLab;
let lab: LabState;
let key: string;
const site = (r: RouterState) => `VM ${r.name}`;
const gateway = (r: RouterState) => `vm-${r.name}-gw`;
const hub = () => lab.routers.find((r) => r.platform === "strongswan")!;
const branch = () => lab.routers.find((r) => r.platform === "libreswan")!;

test.beforeAll(async () => {
  test.setTimeout(400_000); // boots the VM lab when this spec runs alone
  shared = await attachSharedVmLab();
  lab = shared.lab;
  key = readFileSync(lab.managementKey.privateKeyPath, "utf8");
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await resetVmRouters(lab);
  await shared.release();
});

async function addSite(page: Page, r: RouterState, to: RouterState | null) {
  await fillWizard(page, {
    siteName: site(r),
    subnets: r.lanCidr,
    gatewayName: gateway(r),
    platform: r.platform,
    // VM routers do ESP in their own kernel.
    ipsecStack: "",
    publicIp: r.publicIp,
    lanAddress: r.lanAddress,
    wanInterface: "eth0",
    lanInterface: "eth1",
    privateKey: key,
    role: to ? "branch" : "hub",
    hub: to ? `${gateway(to)} — ${site(to)} (${to.publicIp})` : undefined,
  });
  await submitWizard(page);
  await expect(page.getByRole("heading", { name: site(r) })).toBeVisible();
}

async function acceptHostKey(page: Page, r: RouterState) {
  await page.goto("/sites");
  await page.getByRole("link", { name: new RegExp(`^${gateway(r)}`) }).click();
  await page.getByRole("button", { name: "Check host key" }).click();
  await expect(page.getByTestId("offered-host-key")).toContainText(r.hostKeyFingerprint);
  await page.getByRole("button", { name: "Accept this key" }).click();
  await expect(page.getByTestId("pinned-host-key")).toHaveText(r.hostKeyFingerprint);
}

test("a Libreswan branch through the wizard: deploy to a VM router, up on kernel IPsec, one-click key rotation", async ({
  adminPage: page,
}) => {
  test.setTimeout(300_000);
  const h = hub();
  const b = branch();
  await addSite(page, h, null);
  await addSite(page, b, h);
  await acceptHostKey(page, h);
  await acceptHostKey(page, b);
  expect((await pingFromHost(lab, b.name, h.lanHost.ip, { count: 2 })).received).toBe(0);

  // Deploy.
  await page.goto("/sites");
  await page.getByRole("link", { name: site(b), exact: true }).click();
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await expect(page.getByTestId("deploy-state")).toHaveText("pending");
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByTestId("job-status")).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByTestId("deploy-state")).toHaveText("deployed");
  await expect(page.getByTestId("job-log")).toContainText(/ping .* 0% packet loss/);
  expect((await pingFromHost(lab, b.name, h.lanHost.ip, { count: 3, waitSec: 2 })).received).toBe(3);
  // The kernel carries it: Libreswan's SAs are XFRM states on the router.
  expect((await execInRouter(lab, b.name, ["ip", "xfrm", "state"])).stdout).toMatch(/proto esp spi 0x[0-9a-f]+ reqid \d+ mode tunnel/);

  // Health.
  const tunnelUrl = page.url();
  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page.getByTestId("health-panel").getByTestId("health-state")).toHaveText("up", { timeout: 90_000 });

  // One-click rotation, proven on both ends.
  await page.goto(tunnelUrl);
  const control = page.getByTestId("rotate-control");
  await control.getByRole("button", { name: "Rotate PSK" }).click();
  await control.getByRole("button", { name: "Rotate now" }).click();
  await expect(control.getByTestId("job-status")).toHaveText("succeeded", { timeout: 150_000 });
  await expect(control.getByTestId("job-log")).toContainText("key v1 → v2");
  await page.screenshot({ path: "test-results/e2e-artifacts/vm-libreswan-rotated.png", fullPage: true });
  expect((await pingFromHost(lab, b.name, h.lanHost.ip, { count: 3, waitSec: 2 })).received).toBe(3);
});
