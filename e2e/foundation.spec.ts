// The foundation, as an admin meets it: first start, the wizard, bad input, roles,
// and revealing a PSK. Runs in order against one fresh database: its first test is the
// first start, so it sorts first of the specs. The setup and sign-in forms are tested
// here (first start, a wrong password, the viewer's sign-in); the admin's later visits
// sign in through the app (support/fixtures.ts) as the admin the first test created.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ADMIN, fillWizard, makePrivateKey, signIn, submitWizard } from "./helpers";
import { expect, test } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

const KNOWN_PSK = "Kx7-vQ2_mT9.zR4:pL8@wN3^bH6~";
const key = makePrivateKey();

/** The newest one-time setup code the server printed in its log (playwright.config.ts keeps it). */
function printedSetupCode(): string {
  const log = readFileSync(path.join(process.env.E2E_DATA_DIR!, "server.log"), "utf8");
  const codes = [...log.matchAll(/one-time setup code: ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})/g)].map((m) => m[1]!);
  if (codes.length === 0) throw new Error("the server printed no setup code");
  return codes.at(-1)!;
}

test("first start asks for an admin and the setup code the server printed, with no default account", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Setup code").fill("AAAA-BBBB-CCCC-DDDD");
  await page.getByLabel("Admin user name").fill(ADMIN.username);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat the password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.locator("#f-setupCode-error")).toContainText("not a setup code this server printed");
  await page.getByLabel("Setup code").fill(printedSetupCode());
  await page.getByLabel("Admin user name").fill(ADMIN.username);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the password").fill("short");
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.locator("#f-password-error")).toContainText("12");
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat the password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.getByRole("heading", { name: "No sites yet" })).toBeVisible();
  // A second visit to /setup is refused once an admin exists.
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login$|\/$/);
});

test("a wrong password is refused", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("User name").fill(ADMIN.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong user name or password" })).toBeVisible();
});

test("the wizard adds the hub and a branch office", async ({ adminPage: page }) => {
  await fillWizard(page, {
    siteName: "HQ",
    subnets: "172.16.1.0/24",
    gatewayName: "hq-gw",
    publicIp: "198.18.0.10",
    lanAddress: "172.16.1.254",
    privateKey: key,
    role: "hub",
  });
  await submitWizard(page);
  await expect(page.getByRole("heading", { name: "HQ" })).toBeVisible();

  await fillWizard(page, {
    siteName: "Oslo branch",
    subnets: "172.16.2.0/24",
    gatewayName: "oslo-gw",
    publicIp: "198.18.0.20",
    lanAddress: "172.16.2.254",
    privateKey: key,
    role: "branch",
    hub: "hq-gw — HQ (198.18.0.10)",
    psk: KNOWN_PSK,
  });
  await submitWizard(page);
  await expect(page.getByRole("heading", { name: "Oslo branch" })).toBeVisible();
  await expect(page.getByTestId("site-subnets")).toHaveText("172.16.2.0/24");
  await expect(page.getByTestId("tunnel-table")).toContainText("oslo-gw ipsec0");
  await expect(page.getByTestId("tunnel-table")).toContainText("hq-gw ipsec0");

  await page.goto("/");
  await expect(page.getByTestId("count-sites")).toHaveText("2");
  await expect(page.getByTestId("count-tunnels")).toHaveText("1");
  // Nothing was deployed, so nothing was checked: the overview must not call it "up".
  await expect(page.getByTestId("needs-attention-empty")).toHaveText(/^No tunnel has been checked yet: 1 not deployed/);
  await expect(page.getByTestId("needs-attention-empty")).not.toContainText(" up");
});

test("bad input shows errors next to the fields and saves nothing", async ({ adminPage: page }) => {
  const hub = "hq-gw — HQ (198.18.0.10)";
  const cases: { form: Parameters<typeof fillWizard>[1]; field: string; message: RegExp }[] = [
    {
      form: {
        siteName: "Bergen",
        subnets: "172.16.3.1/24",
        gatewayName: "bergen-gw",
        publicIp: "198.18.0.30",
        lanAddress: "172.16.3.254",
        privateKey: key,
        role: "branch",
        hub,
      },
      field: "subnets",
      message: /host bits set.*172\.16\.3\.0\/24/,
    },
    {
      form: {
        siteName: "Bergen",
        subnets: "172.16.0.0/16",
        gatewayName: "bergen-gw",
        publicIp: "198.18.0.30",
        lanAddress: "172.16.3.254",
        privateKey: key,
        role: "branch",
        hub,
      },
      field: "subnets",
      message: /overlaps 172\.16\.1\.0\/24 \(HQ\)/,
    },
    {
      form: {
        siteName: "HQ",
        subnets: "172.16.3.0/24",
        gatewayName: "bergen-gw",
        publicIp: "198.18.0.30",
        lanAddress: "172.16.3.254",
        privateKey: key,
        role: "branch",
        hub,
      },
      field: "siteName",
      message: /already exists/,
    },
    {
      form: {
        siteName: "Bergen",
        subnets: "172.16.3.0/24",
        gatewayName: "bergen-gw",
        publicIp: "198.18.0.30",
        lanAddress: "172.16.3.254",
        privateKey: "",
        role: "branch",
        hub,
      },
      field: "sshPrivateKey",
      message: /private key/i,
    },
    {
      form: {
        siteName: "Bergen; rm -rf /",
        subnets: "172.16.3.0/24",
        gatewayName: "bergen-gw",
        publicIp: "198.18.0.30",
        lanAddress: "172.16.3.254",
        privateKey: key,
        role: "branch",
        hub,
      },
      field: "siteName",
      message: /can't contain “;”/,
    },
  ];
  for (const c of cases) {
    // Each mistake is caught by Next on its own step (the submit would catch it too).
    expect(await fillWizard(page, c.form), `${c.field} refused before the last step`).toBe(false);
    await expect(page.locator(`#f-${c.field}-error`)).toHaveText(c.message);
    await expect(page.locator(`#f-${c.field}`)).toHaveAttribute("aria-invalid", "true");
  }
  await page.goto("/");
  await expect(page.getByTestId("count-sites")).toHaveText("2");
  await expect(page.getByTestId("count-tunnels")).toHaveText("1");
  await expect(page.getByTestId("count-lan-subnets")).toHaveText("2");
});

test("a viewer can look but is not offered changes, and the server refuses them", async ({ adminPage: page, browser }) => {
  await page.goto("/users");
  await page.getByLabel("User name").fill("vera");
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByLabel("Initial password").fill("viewer password 123");
  await page.getByLabel("Repeat the password").fill("viewer password 123");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("status")).toContainText("Added vera (viewer)");

  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, "vera", "viewer password 123");
  await expect(viewer.getByRole("link", { name: "Add branch office" })).toHaveCount(0);
  await fillWizard(viewer, {
    siteName: "Bergen",
    subnets: "172.16.3.0/24",
    gatewayName: "bergen-gw",
    publicIp: "198.18.0.30",
    lanAddress: "172.16.3.254",
    privateKey: key,
    role: "branch",
    hub: "hq-gw — HQ (198.18.0.10)",
  });
  // The steps can be read; Create is not offered, and says why (the server refuses it too:
  // lib/actions/actions-replay.int.test.ts).
  await expect(viewer.getByRole("button", { name: "Create branch office" })).toBeDisabled();
  await expect(viewer.getByTestId("denied-reason")).toHaveText("Your role (viewer) cannot add sites: admins and operators only.");
  await viewer.goto("/");
  await expect(viewer.getByTestId("count-sites")).toHaveText("2");
  // Nor may a viewer see a key.
  await viewer.goto("/tunnels");
  await viewer.getByTestId("tunnel-table").getByRole("link").first().click();
  // The page does not offer what the server would refuse: each control is disabled and says why.
  await expect(viewer.getByRole("button", { name: "Reveal PSK" })).toBeDisabled();
  await expect(viewer.getByText("Your role (viewer) cannot see keys: admins only.")).toBeVisible();
  for (const name of ["Deploy", "Tear down", "Show changes (dry run)", "Delete tunnel"]) {
    await expect(viewer.getByRole("button", { name, exact: true })).toBeDisabled();
  }
  await expect(viewer.getByText("Your role (viewer) cannot deploy or tear down tunnels: admins and operators only.")).toBeVisible();
  await expect(viewer.getByText("Your role (viewer) cannot rotate keys: admins and operators only.")).toBeVisible();
  await expect(viewer.getByTestId("psk-value")).not.toContainText(KNOWN_PSK);
  // The server refuses it all the same (every action by every role: lib/actions/actions-replay.int.test.ts).
});

test("an admin reveals a PSK, and the reveal is audited", async ({ adminPage: page }) => {
  await page.goto("/tunnels");
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  const html = await page.content();
  expect(html).not.toContain(KNOWN_PSK);
  await page.getByRole("button", { name: "Reveal PSK" }).click();
  await expect(page.getByTestId("psk-value")).toHaveText(KNOWN_PSK);
  await page.goto("/audit");
  const row = page.locator('tr[data-action="psk.reveal"]').first();
  await expect(row).toContainText("admin");
  await expect(row).toContainText("Revealed PSK version 1");
  expect(await page.content()).not.toContain(KNOWN_PSK);
});

test("no PSK or SSH key is stored or logged in plaintext", async ({ adminPage: page }) => {
  const dataDir = process.env.E2E_DATA_DIR!;
  const db = readFileSync(path.join(dataDir, "gatewarden.db"));
  const wal = (() => {
    try {
      return readFileSync(path.join(dataDir, "gatewarden.db-wal"));
    } catch {
      return Buffer.alloc(0);
    }
  })();
  const log = readFileSync(path.join(dataDir, "server.log"), "utf8");
  const keyBody = key.split("\n")[1]!;
  for (const secret of [KNOWN_PSK, keyBody]) {
    expect(db.includes(Buffer.from(secret))).toBe(false);
    expect(wal.includes(Buffer.from(secret))).toBe(false);
    expect(log).not.toContain(secret);
  }
  // The pages an admin browses carry no secret either (only the reveal action does).
  for (const url of ["/", "/sites", "/tunnels", "/audit"]) {
    await page.goto(url);
    expect(await page.content()).not.toContain(KNOWN_PSK);
  }
});

test("an admin changes a gateway's SSH access; bad input is refused next to the field", async ({ adminPage: page }) => {
  await page.goto("/sites");
  await page.getByRole("link", { name: /^hq-gw/ }).click();
  await page.getByLabel("SSH port").fill("0x16");
  await page.getByRole("button", { name: "Save SSH access" }).click();
  await expect(page.locator("#f-sshPort-error")).toContainText("1 to 65535");
  await page.getByLabel("SSH port").fill("2222");
  await page.getByLabel("New private key (blank keeps the stored one)").fill("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI public");
  await page.getByRole("button", { name: "Save SSH access" }).click();
  await expect(page.locator("#f-sshPrivateKey-error")).toContainText("public key");
  await page.getByLabel("New private key (blank keeps the stored one)").fill("");
  await page.getByRole("button", { name: "Save SSH access" }).click();
  await expect(page.getByRole("status").filter({ hasText: "SSH access saved" })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("SSH port")).toHaveValue("2222");
  await page.goto("/audit");
  await expect(page.locator('tr[data-action="gateway.ssh.update"]').first()).toContainText('"sshPort":2222');
});

test("a site with tunnels cannot be deleted; a tunnel never deployed can, then the site", async ({ adminPage: page }) => {
  page.on("dialog", (d) => void d.accept());
  await page.goto("/sites");
  await page.getByRole("link", { name: "Oslo branch", exact: true }).click();
  await page.getByRole("button", { name: "Delete site" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "still has 1 tunnel" })).toBeVisible();
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await page.getByRole("button", { name: "Delete tunnel" }).click();
  await expect(page).toHaveURL(/\/tunnels$/);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Oslo branch", exact: true }).click();
  await page.getByRole("button", { name: "Delete site" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByRole("link", { name: "Oslo branch", exact: true })).toHaveCount(0);
});
