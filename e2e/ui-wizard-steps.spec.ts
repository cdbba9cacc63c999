// The branch-office wizard checks each step when Next is pressed, with the same server
// rules as the final submit, and shows all of a step's errors at once (field syntax,
// rules between fields, names and addresses already taken): one round per step, not a
// surprise at the end. Runs on a made-up fleet (never deployed, removed after).
import type { Page } from "@playwright/test";
import { makePrivateKey } from "./helpers";
import { runInApp } from "./support/app-process";
import { expect, test } from "./support/fixtures";
import { FLEET_HUB_GATEWAY, FLEET_HUB_SITE, type MadeUpFleet } from "./support/made-up-fleet";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ adminSession: _admin }) => {
  await runInApp<MadeUpFleet>("made-up-fleet.ts", ["add", "1"]);
});

test.afterAll(async () => {
  await runInApp("made-up-fleet.ts", ["remove"]);
});

const onStep = (page: Page, title: string) => expect(page.locator('[aria-current="step"]')).toHaveText(title);
const fieldError = (page: Page, field: string) => page.locator(`#f-${field}-error`);
const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`wizard-${name}.png`), fullPage: true });

test("each step's errors show together when Next is pressed, and the wizard stays on that step", async ({ adminPage: page }) => {
  await page.goto("/sites/new");
  await page.getByLabel("Site name").fill("UI wizard; office");
  await page.getByLabel("LAN subnets").fill("10.251.0.1/24");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(fieldError(page, "siteName")).toHaveText(/can't contain “;”/);
  await expect(fieldError(page, "subnets")).toHaveText(/host bits set.*10\.251\.0\.0\/24/);
  await expect(page.getByRole("alert").filter({ hasText: "Please correct the 2 highlighted fields before going on." })).toBeVisible();
  await onStep(page, "1. Site");
  await shot(page, "step1-errors");

  await page.getByLabel("Site name").fill("UI wizard office");
  await page.getByLabel("LAN subnets").fill("10.251.0.0/24");
  await page.getByRole("button", { name: "Next" }).click();
  await onStep(page, "2. Gateway");
  await expect(page.locator("[data-field-error]:visible")).toHaveCount(0);

  // Three mistakes of three kinds: a taken name and a taken address (the database), a
  // LAN address off the LAN (between steps 1 and 2).
  await page.getByLabel("Gateway name").fill(FLEET_HUB_GATEWAY);
  await page.getByLabel("IPsec done by").selectOption("libipsec");
  await page.getByLabel("Public IP (tunnel endpoint)").fill("203.0.113.1");
  await page.getByLabel("LAN address (SRCGW)").fill("10.251.1.254");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(fieldError(page, "gatewayName")).toHaveText(`A gateway named “${FLEET_HUB_GATEWAY}” already exists`);
  await expect(fieldError(page, "publicIp")).toHaveText(`203.0.113.1 is already the endpoint of ${FLEET_HUB_GATEWAY}`);
  await expect(fieldError(page, "lanAddress")).toHaveText(/10\.251\.1\.254 is not inside 10\.251\.0\.0\/24/);
  await onStep(page, "2. Gateway");
  await shot(page, "step2-errors");

  // "fleet-": the made-up fleet's clean-up removes it with its tunnel.
  await page.getByLabel("Gateway name").fill("fleet-ui-wizard-gw");
  await page.getByLabel("Public IP (tunnel endpoint)").fill("203.0.113.91");
  await page.getByLabel("LAN address (SRCGW)").fill("10.251.0.254");
  await page.getByRole("button", { name: "Next" }).click();
  await onStep(page, "3. SSH access");

  // With named SSH credentials in the fleet the wizard offers one first: this office pastes its own key (left empty).
  await page.getByLabel("Sign in with").selectOption("key");
  await page.getByLabel("SSH port").fill("70000");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(fieldError(page, "sshPort")).toBeVisible();
  await expect(fieldError(page, "sshPrivateKey")).toHaveText(/private key/i);
  await onStep(page, "3. SSH access");
  await shot(page, "step3-errors");

  await page.getByLabel("SSH port").fill("22");
  await page.getByLabel("Private key").fill(makePrivateKey());
  await page.getByRole("button", { name: "Next" }).click();
  await onStep(page, "4. Tunnel");

  // The last step: the submit shows the tunnel's errors together.
  await page.getByLabel("This site is").selectOption("branch");
  await page.getByLabel("Hub gateway").selectOption({ label: `${FLEET_HUB_GATEWAY} — ${FLEET_HUB_SITE} (203.0.113.1)` });
  const profile = page.getByLabel("Crypto profile");
  await profile.selectOption({ label: (await profile.locator("option", { hasText: "Article (legacy)" }).textContent())! });
  await page.getByLabel("Pre-shared key", { exact: true }).selectOption("custom");
  await page.getByLabel("Your pre-shared key").fill("short");
  await page.getByRole("button", { name: "Create branch office" }).click();
  await expect(fieldError(page, "cryptoProfileId")).toContainText("Article (legacy) is weak");
  await expect(fieldError(page, "pskValue")).toBeVisible();
  await onStep(page, "4. Tunnel");
  await shot(page, "step4-errors");

  await profile.selectOption({ label: "Modern (IKEv2)" });
  await page.getByLabel("Pre-shared key", { exact: true }).selectOption("generate");
  await page.getByRole("button", { name: "Create branch office" }).click();
  await expect(page.getByRole("heading", { name: "UI wizard office" })).toBeVisible();
  await expect(page.getByTestId("tunnel-table")).toContainText("fleet-ui-wizard-gw");
});
