// Configuration previews, the gateway bundle and crypto profiles, as an admin meets
// them: a strongSwan hub and a CentOS/racoon branch added through the wizard, their
// rendered files with the PSK masked, the key-bearing bundle (admin only, audited), and
// a custom profile with a weak choice flagged. Self-contained: its own sites and users,
// made through the forms it tests; it signs in through the app (support/fixtures.ts),
// which creates the admin when the spec runs alone on a fresh database.
// Named to sort after foundation.spec.ts (specs run alphabetically on one server), whose
// first test needs the fresh database.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ADMIN, addUserOnPage, fillWizard, makePrivateKey, submitWizard } from "./helpers";
import { expect, signInThroughApp, test } from "./support/fixtures";
import { readBundle } from "../lib/rendering/read-bundle";

test.describe.configure({ mode: "serial" });

// Unique per run, clear of foundation.spec.ts's HQ/Oslo (198.18.0.x, 192.168.1-2.x).
const n = 100 + Math.floor(Math.random() * 100);
const tag = `pv${n}`;
const HUB = { site: `Preview hub ${tag}`, gw: `${tag}-hub-gw`, ip: `198.18.${n}.10`, lan: `10.${n}.1.254`, net: `10.${n}.1.0/24` };
const BRANCH = { site: `Preview branch ${tag}`, gw: `${tag}-branch-gw`, ip: `198.18.${n}.20`, lan: `10.${n}.2.254`, net: `10.${n}.2.0/24` };
// Only characters shellValue leaves unquoted, so keys-ipsecN reads IKE_PSK=<key>.
const PSK = `Pv7-qW3_zX9.kL2:mN8@rT5+${n}`;
const MASK = "••••••••";
const VIEWER = { username: `${tag}-viewer`, password: "viewer password 456" };
const key = makePrivateKey();

let tunnelUrl = "";
let branchGatewayUrl = "";

test("the wizard adds a strongSwan hub and a racoon branch with a known PSK", async ({ adminPage: page }) => {
  await fillWizard(page, {
    siteName: HUB.site,
    subnets: HUB.net,
    gatewayName: HUB.gw,
    platform: "strongswan",
    publicIp: HUB.ip,
    lanAddress: HUB.lan,
    privateKey: key,
    role: "hub",
  });
  await submitWizard(page);
  await expect(page.getByRole("heading", { name: HUB.site })).toBeVisible();

  await fillWizard(page, {
    siteName: BRANCH.site,
    subnets: BRANCH.net,
    gatewayName: BRANCH.gw,
    platform: "centos-racoon",
    publicIp: BRANCH.ip,
    lanAddress: BRANCH.lan,
    privateKey: key,
    role: "branch",
    hub: `${HUB.gw} — ${HUB.site} (${HUB.ip})`,
    psk: PSK,
  });
  await page.getByLabel("Crypto profile").selectOption({ label: "Modern IKEv1 (racoon) (IKEv1)" });
  await submitWizard(page);
  await expect(page.getByRole("heading", { name: BRANCH.site })).toBeVisible();
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Configuration", exact: true })).toBeVisible();
  tunnelUrl = page.url();
});

test("the tunnel page shows both ends' files, ifup's output and the lint, with the PSK masked", async ({ adminPage: page }) => {
  await page.goto(tunnelUrl);
  const racoonEnd = page.locator('[data-platform="centos-racoon"]');
  const swanEnd = page.locator('[data-platform="strongswan"]');
  const racoonFiles = racoonEnd.locator('[data-testid^="files-"]');
  const racoonGenerated = racoonEnd.locator('[data-testid^="generated-"]');

  const ifcfg = racoonFiles.locator('li[data-path^="/etc/sysconfig/network-scripts/ifcfg-ipsec"]');
  await expect(ifcfg.locator("pre")).toContainText("TYPE=IPSEC");
  await expect(ifcfg.locator("pre")).toContainText(`DST=${HUB.ip}`);
  await expect(ifcfg.locator("pre")).toContainText(`SRCNET=${BRANCH.net}`);
  await expect(ifcfg.getByTestId("file-mode")).toHaveText("0644");
  const keys = racoonFiles.locator('li[data-path^="/etc/sysconfig/network-scripts/keys-ipsec"]');
  await expect(keys.locator("pre")).toHaveText(`IKE_PSK=${MASK}`);
  await expect(keys.getByTestId("file-mode")).toHaveText("0600");
  await expect(racoonFiles.locator('li[data-path="/etc/racoon/racoon.conf"] pre')).toContainText(`include "/etc/racoon/${HUB.ip}.conf";`);

  // The peer's remote block is pushed (ifup keeps it: it is touched after ifcfg-ipsecN).
  await expect(racoonFiles.locator(`li[data-path="/etc/racoon/${HUB.ip}.conf"] pre`)).toContainText("exchange_mode main;");
  await expect(racoonFiles.locator(`li[data-path="/etc/racoon/${HUB.ip}.conf"] pre`)).toContainText("dh_group 14;");
  // What `ifup ipsecN` will write from those files.
  await expect(racoonEnd.getByRole("heading", { name: /What ifup ipsec\d+ will generate/ })).toBeVisible();
  await expect(racoonGenerated.locator('li[data-path="/etc/racoon/psk.txt"] pre')).toHaveText(`${HUB.ip}  ${MASK}`);
  await expect(racoonEnd).toContainText("/sbin/ifup ipsec");

  await expect(swanEnd.locator('li[data-path$=".secrets.conf"] pre')).toContainText(`secret = "${MASK}"`);
  await expect(swanEnd.locator('li[data-path$=".secrets.conf"]').getByTestId("file-mode")).toHaveText("0600");
  const conn = swanEnd.locator('li[data-path$=".conf"]:not([data-path$=".secrets.conf"]) pre');
  await expect(conn).toContainText("version = 1");
  await expect(conn).toContainText(`remote_ts = ${BRANCH.net}`);
  await expect(swanEnd).toContainText("swanctl --load-all");

  const ikev1 = page.getByTestId("lint-findings").locator("li").filter({ hasText: "IKEv1 is deprecated" });
  await expect(ikev1).toHaveAttribute("data-severity", "warning");
  await expect(ikev1).toContainText("RFC 9395");

  expect(await page.content()).not.toContain(PSK);
});

test("the branch gateway page shows its whole file set, masked, and its profile's lint", async ({ adminPage: page }) => {
  await page.goto(tunnelUrl);
  await page.locator('[data-platform="centos-racoon"]').getByRole("link", { name: "whole gateway and bundle" }).click();
  await page.waitForURL(/\/gateways\//);
  await expect(page.getByRole("heading", { name: BRANCH.gw, exact: true, level: 1 })).toBeVisible();
  branchGatewayUrl = page.url();
  const files = page.getByTestId("gateway-files");
  await expect(files.locator('li[data-path^="/etc/sysconfig/network-scripts/keys-ipsec"] pre')).toHaveText(`IKE_PSK=${MASK}`);
  await expect(files.locator('li[data-path="/etc/sysctl.d/90-gatewarden-ipsec.conf"] pre')).toContainText("net.ipv4.ip_forward = 1");
  await expect(page.getByTestId("lint-findings").first()).toContainText("IKEv1 is deprecated");
  expect(await page.content()).not.toContain(PSK);
});

test("an admin downloads the bundle: files at their paths, 0600 keys, the real PSK, audited", async ({ adminPage: page }) => {
  await page.goto(branchGatewayUrl);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download bundle" }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^gatewarden-${BRANCH.gw}-\\d{4}-\\d{2}-\\d{2}\\.tar\\.gz$`));
  const members = await readBundle(readFileSync((await download.path())!));
  const byName = new Map(members.map((m) => [m.name, m]));
  const keysName = members.find((m) => /^etc\/sysconfig\/network-scripts\/keys-ipsec\d+$/.test(m.name))!.name;
  const iface = keysName.split("-").pop()!;
  expect(members.map((m) => m.name).sort()).toEqual(
    [
      "INSTALL.txt",
      "etc/racoon/racoon.conf",
      `etc/racoon/${HUB.ip}.conf`,
      `etc/racoon/gatewarden/forget-${HUB.ip}.sed`,
      `etc/sysconfig/network-scripts/ifcfg-${iface}`,
      keysName,
      "etc/sysctl.d/90-gatewarden-ipsec.conf",
    ].sort(),
  );
  expect(byName.get(keysName)!.mode).toBe(0o600);
  expect(byName.get(keysName)!.content).toBe(`IKE_PSK=${PSK}\n`);
  expect(byName.get(`etc/sysconfig/network-scripts/ifcfg-${iface}`)!.mode).toBe(0o644);
  const install = byName.get("INSTALL.txt")!.content;
  expect(install).toContain("WARNING: this bundle contains the pre-shared keys");
  expect(install).toContain(`/sbin/ifup ${iface}`);
  expect(install).toMatch(new RegExp(`0600 {2}${keysName} +SECRET`));

  await page.goto("/audit");
  const row = page.locator('tr[data-action="bundle.download"]').filter({ hasText: BRANCH.gw }).first();
  await expect(row).toContainText(ADMIN.username);
  await expect(row).toContainText(`configuration bundle of ${BRANCH.gw}`);
  expect(await page.content()).not.toContain(PSK);
});

test("a viewer sees the masked preview but the bundle is refused; so is an anonymous request", async ({
  adminPage: page,
  browser,
  request,
  baseURL,
}) => {
  await addUserOnPage(page, VIEWER, "viewer");

  const viewerContext = await browser.newContext();
  await signInThroughApp(viewerContext, baseURL!, VIEWER);
  const viewer = await viewerContext.newPage();
  await viewer.goto(branchGatewayUrl);
  await expect(viewer.getByTestId("gateway-files")).toContainText(`IKE_PSK=${MASK}`);
  await expect(viewer.getByRole("button", { name: "Download bundle" })).toHaveCount(0);
  await expect(viewer.getByText("only admins can download it")).toBeVisible();
  const bundleUrl = `${new URL(branchGatewayUrl).pathname.replace("/gateways/", "/api/gateways/")}/bundle`;
  // The bundle is a POST from a Gatewarden page (its Origin): web-surface.spec.ts has the rest.
  const refused = await viewer.request.post(bundleUrl, { headers: { origin: baseURL! } });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain("Your role does not allow you to download configuration bundles");
  expect(await refused.text()).not.toContain(PSK);

  const anonymous = await request.post(bundleUrl, { headers: { origin: baseURL! } });
  expect(anonymous.status()).toBe(401);
});

test("the server log never saw the PSK, neither from previews nor from the bundle", () => {
  const log = readFileSync(path.join(process.env.E2E_DATA_DIR!, "server.log"), "utf8");
  expect(log.length).toBeGreaterThan(0);
  expect(log).not.toContain(PSK);
});

test("an admin creates a custom profile; a weak DH group is flagged with its reason, and viewers only read", async ({
  adminPage: page,
  browser,
  baseURL,
}) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Crypto profiles" }).click();
  await expect(page.getByRole("heading", { name: "Crypto profiles" })).toBeVisible();
  await expect(page.locator('[data-profile="Article (legacy)"] [data-severity="danger"]').first()).toBeVisible();
  // "Article" is explained where it appears: which article, and when to use its profile.
  await expect(page.locator('[data-profile="Article (legacy)"] [data-testid="profile-note"]')).toContainText("developerWorks, 2012");
  await expect(page.locator('[data-profile="Modern"] [data-testid="profile-note"]')).toContainText("IKEv2");

  // Errors land next to their fields.
  const name = `Weak test ${tag}`;
  await page.getByLabel("IKE version").selectOption("1");
  await page.getByLabel("aes256", { exact: true }).uncheck();
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.locator("#f-name-error")).toContainText("Give the profile a name");
  await expect(page.locator('[id="f-esp.encryption-error"]')).toHaveText("Pick at least one ESP cipher");

  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("aes256", { exact: true }).check();
  await page.getByLabel("IKE DH group").selectOption({ label: "2 (modp1024)" });
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("status")).toContainText(`Created ${name}`);

  const card = page.locator(`[data-profile="${name}"]`);
  await expect(card).toContainText("custom");
  const weak = card.locator("li[data-severity]").filter({ hasText: "DH group 2 (modp1024) is too weak" });
  await expect(weak).toHaveAttribute("data-severity", "warning");
  await expect(weak).toContainText("Logjam");
  await expect(weak).toContainText("Source: RFC 8247");

  await page.goto("/audit");
  await expect(page.locator('tr[data-action="profile.create"]').filter({ hasText: name })).toContainText(ADMIN.username);

  const viewerContext = await browser.newContext();
  await signInThroughApp(viewerContext, baseURL!, VIEWER);
  const viewer = await viewerContext.newPage();
  await viewer.goto("/profiles");
  await expect(viewer.locator(`[data-profile="${name}"]`)).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Create profile" })).toHaveCount(0);
  await expect(viewer.locator('p[data-testid="denied-reason"]')).toHaveText(
    "Your role (viewer) cannot change crypto profiles: admins only.",
  );
});
