// A stuck rotation as an operator meets it (issue 13): a real rotation on a seeded
// strongSwan pair whose hub stops accepting Gatewarden's SSH key right after it received
// the new key (support/lab-stuck.ts). The tunnel page shows the red "Rotation stuck"
// banner with what to do, Rotate PSK is disabled with the reason; once the hub lets us in
// again, Repair (confirm) runs a job that succeeds, the banner is gone, both routers hold
// the active key and LAN traffic passes; the repair is in the audit log.
import { pingFromHost, requireLabState, execInRouter, type LabState } from "./lab/lab";
import { E2E_LAB } from "./global-setup";
import { expect, test } from "./support/fixtures";
import { runInApp } from "./support/app-process";
import { LAB_ROUTERS, labSiteOf, resetLabRouters, seedLabTunnels } from "./support/lab-routers";

test.describe.configure({ mode: "serial" });

const PAIR = LAB_ROUTERS["tunnel-stuck"].strongswan;
let lab: LabState;
let tunnelId: string;
let connectionName: string;

test.beforeAll(async ({ adminSession: _admin }) => {
  test.setTimeout(180_000);
  lab = requireLabState(E2E_LAB);
  await runInApp("lab-stuck.ts", ["let-in"], { lab: E2E_LAB, router: PAIR.hub });
  await resetLabRouters(E2E_LAB, "tunnel-stuck");
  ({ tunnelId, connectionName } = (await seedLabTunnels(E2E_LAB, "tunnel-stuck", { deploy: true }))[0]!);
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await runInApp("lab-stuck.ts", ["let-in"], { lab: E2E_LAB, router: PAIR.hub });
  await resetLabRouters(E2E_LAB, "tunnel-stuck");
});

test("a stuck rotation is shown with what to do, and Repair brings both routers back to the active key", async ({ adminPage: page }) => {
  test.setTimeout(180_000);
  // Seeded tunnels have the branch as end A: the hub is end B.
  expect(await runInApp("lab-stuck.ts", ["stick"], { lab: E2E_LAB, tunnelId, router: PAIR.hub })).toEqual(["stuck"]);

  await page.goto("/sites");
  await page.getByRole("link", { name: labSiteOf(PAIR.branch), exact: true }).click();
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await page.waitForURL(`**/tunnels/${tunnelId}`);
  await expect(page.getByTestId("deploy-state")).toHaveText("deployed");
  const banner = page.getByTestId("stuck-banner");
  // The first recovery attempt runs at once (and fails: the hub still refuses us); the banner shows between attempts.
  await expect(async () => {
    await page.reload();
    await expect(banner).toContainText("Rotation stuck", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(banner).toContainText("pending key v2");
  await expect(banner).toContainText("press Repair");
  await expect(page.getByTestId("rotate-control").getByRole("button", { name: "Rotate PSK" })).toBeDisabled();
  await expect(page.getByTestId("rotate-control")).toContainText("The last rotation is stuck");

  await runInApp("lab-stuck.ts", ["let-in"], { lab: E2E_LAB, router: PAIR.hub });
  const repair = page.getByTestId("repair-control");
  await repair.getByRole("button", { name: "Repair" }).click();
  await expect(repair.getByRole("alertdialog")).toContainText("Put key v1 on");
  await repair.getByRole("button", { name: "Repair now" }).click();
  await expect(repair.getByTestId("job-status")).toHaveText("succeeded", { timeout: 120_000 });

  await page.reload();
  await expect(page.getByTestId("stuck-banner")).toHaveCount(0);
  await expect(page.getByTestId("rotate-control").getByRole("button", { name: "Rotate PSK" })).toBeEnabled();
  await page.getByRole("button", { name: "Reveal PSK" }).click();
  await expect(page.getByTestId("psk-value")).not.toHaveText(/•/);
  const active = (await page.getByTestId("psk-value").textContent())!.trim();
  const hub = lab.routers.find((r) => r.name === PAIR.hub)!;
  const branch = lab.routers.find((r) => r.name === PAIR.branch)!;
  for (const r of [hub, branch]) {
    const file = (await execInRouter(lab, r.name, ["cat", `/etc/swanctl/conf.d/${connectionName}.secrets.conf`])).stdout;
    expect(file, `${r.name} holds the active key`).toContain(active);
  }
  expect((await pingFromHost(lab, branch.name, hub.lanHost.ip, { count: 3 })).received).toBe(3);

  await page.goto("/audit");
  await expect(
    page.getByTestId("audit-table").getByRole("row").filter({ hasText: "Repaired: both ends run the active key v1" }),
  ).toHaveCount(1);
});
