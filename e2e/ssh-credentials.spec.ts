// Named SSH credentials as an admin uses them, on two lab routers of its own (real sshd;
// support/lab-routers.ts): bad input refused next to the field; a generated credential
// shows its public key and the one-line command, which the admin runs on each router;
// both gateways are switched to it on their pages; "Rotate credential" runs one job
// across both, after which each router's authorized_keys holds the new key and not the
// old, Gatewarden still signs in (a deploy with the rotated key), and the audit log has
// it. Screenshots of the page before and after the rotation.
import { execInRouter, requireLabState, type LabState } from "./lab/lab";
import { E2E_LAB } from "./global-setup";
import { expect, test } from "./support/fixtures";
import { LAB_ROUTERS, labGatewayOf, labSiteOf, resetLabRouters, seedLabTunnels } from "./support/lab-routers";

test.describe.configure({ mode: "serial" });

const PAIR = LAB_ROUTERS["ssh-credentials"]["centos-racoon"];
const ROUTERS = [PAIR.hub, PAIR.branch];
const KEYS = "/etc/ssh/authorized_keys"; // where the lab routers' sshd reads root's keys
let lab: LabState;
const blob = (line: string) => line.trim().split(" ").slice(0, 2).join(" ");

/** The routers' authorized_keys as the lab built them: its management key only. */
async function restoreKeys() {
  for (const r of ROUTERS) {
    await execInRouter(lab, r, ["sh", "-c", `umask 077; cat > ${KEYS}`], { input: lab.managementKey.publicKey + "\n" });
  }
}

test.beforeAll(async ({ adminSession: _admin }) => {
  test.setTimeout(180_000);
  lab = requireLabState(E2E_LAB);
  await resetLabRouters(E2E_LAB, "ssh-credentials");
  await restoreKeys();
  await seedLabTunnels(E2E_LAB, "ssh-credentials", { deploy: false });
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await restoreKeys();
  await resetLabRouters(E2E_LAB, "ssh-credentials");
});

test("an admin creates a credential, installs it on two routers, switches both gateways to it and rotates it in one job", async ({
  adminPage: page,
}) => {
  test.setTimeout(240_000);
  await page.goto("/settings/ssh-credentials");
  await expect(page.getByRole("heading", { name: "SSH credentials" })).toBeVisible();

  // Bad input: every wrong field named next to it, nothing created.
  await page.getByLabel("Key", { exact: true }).selectOption("paste");
  await page.getByLabel("Private key").fill("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI public");
  await page.getByLabel("authorized_keys file on the routers").fill("~/.ssh/authorized_keys");
  await page.getByRole("button", { name: "Create credential" }).click();
  await expect(page.locator("#f-name-error")).toContainText("Enter a name");
  await expect(page.locator("#f-authorizedKeysPath-error")).toContainText("no ~");
  await page.getByLabel("Name").fill("e2e fleet");
  await page.getByLabel("authorized_keys file on the routers").fill(KEYS);
  await page.getByRole("button", { name: "Create credential" }).click();
  await expect(page.locator("#f-privateKey-error")).toContainText("public key");
  await expect(page.getByText("No credentials yet.")).toBeVisible();

  // A generated key: the page shows its public half and the command for a router.
  await page.getByLabel("Key", { exact: true }).selectOption("generate");
  await page.getByRole("button", { name: "Create credential" }).click();
  const command = (await page.getByTestId("new-command").textContent())!.trim();
  const firstKey = (await page.getByTestId("new-public-key").textContent())!.trim();
  expect(firstKey).toMatch(/^ssh-ed25519 \S+ gatewarden:e2e-fleet:v1$/);
  expect(command).toBe(`umask 077; mkdir -p /etc/ssh && echo '${firstKey}' >> ${KEYS}`);
  await page.screenshot({ path: test.info().outputPath("ssh-credential-created.png"), fullPage: true });
  // The admin's step on each router's console.
  for (const r of ROUTERS) await execInRouter(lab, r, ["sh", "-c", command]);

  // Each gateway picks it on its page.
  for (const r of ROUTERS) {
    await page.goto("/sites");
    await page.getByRole("link", { name: labSiteOf(r), exact: true }).click();
    await page
      .getByRole("link", { name: labGatewayOf(r), exact: true })
      .first()
      .click();
    await page.getByLabel("Sign in with").selectOption("credential");
    await page.getByRole("button", { name: "Save SSH access" }).click();
    await expect(page.getByRole("status").filter({ hasText: "SSH access saved" })).toBeVisible();
    await page.reload();
    await expect(page.getByTestId("gateway-credential")).toContainText("e2e fleet");
  }

  // Rotate across both gateways in one job.
  await page.goto("/settings/ssh-credentials");
  const card = page.locator('[data-credential-name="e2e fleet"]');
  await expect(card.getByTestId("credential-gateways")).toContainText(`${labGatewayOf(PAIR.branch)}`);
  await expect(card.getByTestId("credential-gateways")).toContainText(`${labGatewayOf(PAIR.hub)}`);
  const before = (await card.getByTestId("credential-fingerprint").textContent())!;
  const control = card.getByTestId("credential-rotate");
  await control.getByRole("button", { name: "Rotate credential" }).click();
  await control.getByRole("button", { name: "Rotate now" }).click();
  await expect(control.getByTestId("job-status")).toHaveText("succeeded", { timeout: 120_000 });
  await expect(control.getByTestId("job-steps")).toContainText(`remove the old key from ${labGatewayOf(PAIR.hub)}`);
  await page.reload();
  await expect(card.getByTestId("credential-fingerprint")).toContainText("key v2");
  expect(await card.getByTestId("credential-fingerprint").textContent()).not.toBe(before);
  const newKey = (await card.getByTestId("credential-public-key").textContent())!.trim();
  expect(newKey).toMatch(/ gatewarden:e2e-fleet:v2$/);
  await expect(control.getByTestId("job-status")).toHaveText("succeeded");
  await page.screenshot({ path: test.info().outputPath("ssh-credential-rotated.png"), fullPage: true });

  // On the routers: the new key, not the old one, and the lab's own key untouched, mode 0600.
  for (const r of ROUTERS) {
    const text = (await execInRouter(lab, r, ["cat", KEYS])).stdout;
    expect(text).toContain(blob(newKey));
    expect(text).not.toContain(blob(firstKey));
    expect(text).toContain(blob(lab.managementKey.publicKey));
    expect((await execInRouter(lab, r, ["stat", "-c", "%a", KEYS])).stdout.trim()).toBe("600");
  }

  // Gatewarden signs in with the rotated key: a dry run of the pair's tunnel connects to both.
  await page.goto("/sites");
  await page.getByRole("link", { name: labSiteOf(PAIR.branch), exact: true }).click();
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await page.getByRole("button", { name: "Show changes (dry run)" }).click();
  await expect(page.getByTestId("job-status").first()).toHaveText("succeeded", { timeout: 90_000 });

  await page.goto("/audit");
  await expect(page.locator('tr[data-action="credential.rotate"]').first()).toContainText("e2e fleet");
  await expect(page.locator('tr[data-action="credential.create"]').first()).toContainText("e2e fleet");
});
