// Which crypto profile a new tunnel gets: the strongest one both ends' platforms can
// run is pre-selected (never the article's legacy profile, although it is listed
// first), and a weak profile is used only with an explicit tick, its dangers shown.
// Runs on a made-up fleet (e2e/support/made-up-fleet.ts: never deployed, removed after).
import { fillWizard, makePrivateKey } from "./helpers";
import { runInApp } from "./support/app-process";
import { expect, test } from "./support/fixtures";
import { FLEET_HUB_GATEWAY, FLEET_HUB_SITE, type MadeUpFleet } from "./support/made-up-fleet";

test.describe.configure({ mode: "serial" });

let articleTunnelUrl = "";
const label = (i: number) => `fleet-branch${i}-gw — Fleet branch ${String(i).padStart(3, "0")} (203.0.113.${i + 1})`;

test.beforeAll(async ({ adminSession: _admin }) => {
  await runInApp<MadeUpFleet>("made-up-fleet.ts", ["add", "2"]);
});

test.afterAll(async () => {
  await runInApp("made-up-fleet.ts", ["remove"]);
});

test("the overview map fits every gateway in view and draws tunnels without arrowheads", async ({ adminPage: page }) => {
  await page.goto("/");
  const map = page.getByTestId("topology-map");
  await expect(map.locator(".react-flow__node").first()).toBeVisible();
  await page.waitForTimeout(300); // fitView runs after the nodes are measured
  const frame = (await map.boundingBox())!;
  const nodes = map.locator(".react-flow__node");
  for (let i = 0; i < (await nodes.count()); i++) {
    const b = (await nodes.nth(i).boundingBox())!;
    expect(b.x, `node ${i} inside the map`).toBeGreaterThanOrEqual(frame.x - 1);
    expect(b.y).toBeGreaterThanOrEqual(frame.y - 1);
    expect(b.x + b.width).toBeLessThanOrEqual(frame.x + frame.width + 1);
    expect(b.y + b.height).toBeLessThanOrEqual(frame.y + frame.height + 1);
  }
  expect(await map.locator(".react-flow__edge-path[marker-end]").count()).toBe(0);
  await page.screenshot({ path: test.info().outputPath("overview-map.png"), fullPage: true });
});

test("Add tunnel pre-selects the strongest profile; a weak one shows its dangers and needs a tick", async ({ adminPage: page }) => {
  await page.goto("/tunnels/new");
  await page.getByLabel("Gateway A").selectOption({ label: label(1) });
  await page.getByLabel("Gateway B").selectOption({ label: label(2) });
  const profile = page.getByLabel("Crypto profile");
  await expect(profile.locator("option:checked")).toHaveText("Modern (IKEv2)");
  await expect(profile.locator("option", { hasText: "Article (legacy)" })).toHaveText(
    /^⚠ Article \(legacy\) \(IKEv1\): weak, \d+ dangerous settings$/,
  );
  await expect(page.getByTestId("weak-profile-warning")).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath("add-tunnel-default-profile.png"), fullPage: true });

  await profile.selectOption({ label: (await profile.locator("option", { hasText: "Article (legacy)" }).textContent())! });
  const warning = page.getByTestId("weak-profile-warning");
  await expect(warning).toContainText("Aggressive mode with a pre-shared key exposes a crackable hash");
  await page.getByRole("button", { name: "Add tunnel" }).click();
  // Refused next to the field, nothing saved.
  await expect(page.locator("#f-cryptoProfileId-error")).toContainText("Article (legacy) is weak");
  await expect(page).toHaveURL(/\/tunnels\/new$/);

  await warning.getByLabel("I need this weak profile").check();
  await page.getByRole("button", { name: "Add tunnel" }).click();
  await page.waitForURL(/\/tunnels\/(?!new)[^/]+$/);
  await expect(page.getByText("Article (legacy)").first()).toBeVisible();
  articleTunnelUrl = page.url();
});

test("an aggressive-mode profile on strongSwan: the preview shows the non-default router setting it brings, and the lint says so", async ({
  adminPage: page,
}) => {
  await page.goto(articleTunnelUrl);
  for (const end of await page.locator('[data-platform="strongswan"]').all()) {
    const dropIn = end.locator('li[data-path="/etc/strongswan.d/gatewarden-aggressive-psk.conf"]');
    await expect(dropIn.locator("pre")).toContainText("i_dont_care_about_security_and_use_aggressive_mode_psk = yes");
    await expect(dropIn).toContainText(
      "non-default strongSwan setting charon.i_dont_care_about_security_and_use_aggressive_mode_psk = yes: stock charon refuses to answer aggressive mode with a PSK",
    );
    await expect(dropIn.getByTestId("file-mode")).toHaveText("0644");
    await expect(end).toContainText("swanctl --reload-settings");
  }
  const finding = page.getByTestId("lint-findings").locator("li").filter({ hasText: "Aggressive mode with a pre-shared key" }).first();
  await expect(finding).toHaveAttribute("data-severity", "danger");
  await expect(finding).toContainText("a non-default, router-wide setting");
  await page.screenshot({ path: test.info().outputPath("article-profile-strongswan-setting.png"), fullPage: true });
});

test("the wizard pre-selects the strongest profile racoon can run for a CentOS branch of a strongSwan hub", async ({ adminPage: page }) => {
  // Next checks each step, so the steps before the tunnel are filled in validly.
  expect(
    await fillWizard(page, {
      siteName: "Profiles CentOS branch",
      subnets: "10.250.90.0/24",
      gatewayName: "profiles-centos-gw",
      platform: "centos-racoon",
      publicIp: "203.0.113.90",
      lanAddress: "10.250.90.254",
      privateKey: makePrivateKey(),
      role: "branch",
    }),
  ).toBe(true);
  await page.getByLabel("Hub gateway").selectOption({ label: `${FLEET_HUB_GATEWAY} — ${FLEET_HUB_SITE} (203.0.113.1)` });
  await expect(page.getByLabel("Crypto profile").locator("option:checked")).toHaveText("Modern IKEv1 (racoon) (IKEv1)");
});
