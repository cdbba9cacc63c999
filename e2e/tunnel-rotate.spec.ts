// One-click PSK rotation in the browser, on tunnels this spec seeds and deploys on its
// own lab routers (support/lab-routers.ts: a strongSwan pair and a CentOS/racoon pair,
// made as the wizard makes them, deployed by the app's job runner): confirm, watch the
// job succeed, then check on the routers that both hold the revealed new key, a new
// IKE SA runs, and LAN traffic flows; and find the rotation in the audit log.
import type { Page } from "@playwright/test";
import { parseListSasRaw } from "../lib/platforms/strongswan/parse-list-sas-raw";
import { execInRouter, pingFromHost, requireLabState, type LabState, type RouterState } from "./lab/lab";
import { labSwanctl } from "./lab/router-files";
import { E2E_LAB } from "./global-setup";
import { ADMIN } from "./helpers";
import { expect, test } from "./support/fixtures";
import { LAB_ROUTERS, labGatewayOf, labSiteOf, resetLabRouters, seedLabTunnels } from "./support/lab-routers";

test.describe.configure({ mode: "serial" });

const PAIRS = LAB_ROUTERS["tunnel-rotate"];
let lab: LabState;
const router = (name: string) => lab.routers.find((r) => r.name === name)!;
/** Each seeded tunnel's name on the routers. */
const connectionNames = new Map<string, string>();

/** "gw-x ↔ gw-y" in either order: the ends' order is the tunnel's a/b roles. */
const pairLabel = (x: string, y: string) => `(${labGatewayOf(x)} ↔ ${labGatewayOf(y)}|${labGatewayOf(y)} ↔ ${labGatewayOf(x)})`;

// adminSession: the admin exists (created on a fresh database) to own what is seeded.
test.beforeAll(async ({ adminSession: _admin }) => {
  test.setTimeout(180_000); // clears the routers, then deploys two tunnels
  lab = requireLabState(E2E_LAB);
  await resetLabRouters(E2E_LAB, "tunnel-rotate");
  for (const s of await seedLabTunnels(E2E_LAB, "tunnel-rotate", { deploy: true })) connectionNames.set(s.tunnelId, s.connectionName);
});

test.afterAll(async () => {
  test.setTimeout(120_000); // tears both tunnels down
  await resetLabRouters(E2E_LAB, "tunnel-rotate");
});

/** This tunnel's established IKE SAs on a router, as SPI pairs (charon runs on both platforms' lab routers). */
async function ikeSpis(r: RouterState, peer: RouterState): Promise<string[]> {
  const out = (await execInRouter(lab, r.name, [labSwanctl(r.platform), "--list-sas", "--raw"])).stdout;
  return parseListSasRaw(out)
    .filter((sa) => sa.state === "ESTABLISHED" && sa.remote.address === peer.publicIp)
    .map((sa) => `${sa.initiatorSpi}_${sa.responderSpi}`);
}

async function keyFiles(r: RouterState, tunnelId: string): Promise<string> {
  const path =
    r.platform === "strongswan"
      ? `/etc/swanctl/conf.d/${connectionNames.get(tunnelId)}.secrets.conf`
      : "/etc/sysconfig/network-scripts/keys-ipsec0";
  return (await execInRouter(lab, r.name, ["cat", path])).stdout;
}

async function openTunnelOf(page: Page, branch: RouterState) {
  await page.goto("/sites");
  await page.getByRole("link", { name: labSiteOf(branch.name), exact: true }).click();
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await expect(page.getByTestId("deploy-state")).toHaveText("deployed");
  return page.url().split("/tunnels/")[1]!.split(/[?#]/)[0]!;
}

async function revealPsk(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Reveal PSK" }).click();
  const value = page.getByTestId("psk-value");
  await expect(value).not.toHaveText(/•/);
  return (await value.textContent())!.trim();
}

for (const [platform, pair] of Object.entries(PAIRS)) {
  test(`${platform}: rotate the PSK with one click; both routers hold the new key, a new IKE SA, LAN pings pass, audited`, async ({
    adminPage: page,
  }) => {
    test.setTimeout(120_000);
    const hub = router(pair.hub);
    const branch = router(pair.branch);
    const tunnelId = await openTunnelOf(page, branch);
    const oldPsk = await revealPsk(page);
    const before = await ikeSpis(hub, branch);
    expect(before.length).toBeGreaterThan(0);

    const control = page.getByTestId("rotate-control");
    await control.getByRole("button", { name: "Rotate PSK" }).click();
    await expect(control.getByRole("alertdialog")).toContainText("Replace the pre-shared key");
    await control.getByRole("button", { name: "Rotate now" }).click();
    await expect(control.getByTestId("job-status")).toHaveText("succeeded", { timeout: 90_000 });
    const steps = control.getByTestId("job-steps");
    for (const step of ["new key for 1 tunnel", "upload the new key of 1 tunnel to", "verify new IKE SAs on", "ping through the tunnel"])
      await expect(steps).toContainText(step);
    await expect(control.getByTestId("job-log")).toContainText("key v1 → v2");

    await page.reload();
    await expect(page.getByText("version 2")).toBeVisible();
    const newPsk = await revealPsk(page);
    expect(newPsk).not.toBe(oldPsk);
    for (const r of [hub, branch]) {
      const files = await keyFiles(r, tunnelId);
      expect(files, `${r.name} key file`).toContain(newPsk);
      expect(files).not.toContain(oldPsk);
    }
    const after = await ikeSpis(hub, branch);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((s) => before.includes(s))).toEqual([]);
    expect((await pingFromHost(lab, branch.name, hub.lanHost.ip, { count: 3 })).received).toBe(3);

    await page.goto("/audit");
    const row = page
      .getByTestId("audit-table")
      .getByRole("row")
      .filter({ hasText: new RegExp(`Rotated the PSK of ${pairLabel(hub.name, branch.name)}: v1 → v2`) });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(ADMIN.username);
    await expect(row).toContainText("interruption not measured");
  });
}

test("Rotate all PSKs on the tunnels page: one job, per-tunnel steps, every deployed tunnel rotated", async ({ adminPage: page }) => {
  test.setTimeout(150_000);
  await page.goto("/tunnels");
  const control = page.getByTestId("rotate-control");
  await control.getByRole("button", { name: "Rotate all PSKs" }).click();
  await control.getByRole("button", { name: "Rotate now" }).click();
  await expect(control.getByTestId("job-status")).toHaveText("succeeded", { timeout: 110_000 });
  // Per-tunnel steps for what is per tunnel (the ping), per-router steps for what is per router (listing SAs, loading keys).
  for (const pair of Object.values(PAIRS)) {
    await expect(control.getByTestId("job-steps")).toContainText(
      new RegExp(`${pairLabel(pair.hub, pair.branch)}: ping through the tunnel`),
    );
  }
  await expect(control.getByTestId("job-steps")).toContainText(
    new RegExp(`load the new key on \\S*${labGatewayOf(PAIRS.strongswan.hub)} \\(1 tunnel\\)`),
  );
});
