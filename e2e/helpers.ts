// Shared steps for the specs that test the forms: signing in through the sign-in form
// and driving the branch-office wizard the way a person does (labels, buttons), plus a
// throwaway SSH key for the forms. Specs that only need a signed-in admin use the
// fixture in support/fixtures.ts instead.
import { expect, type Page } from "@playwright/test";
import { generateEd25519KeyPair } from "../lib/ssh/keys";

export const ADMIN = { username: "admin", password: "correct horse battery staple" };

export function makePrivateKey(): string {
  return generateEd25519KeyPair().privateKey;
}

export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(username);
}

export type SiteForm = {
  siteName: string;
  subnets: string;
  gatewayName: string;
  /** A lab platform id; the wizard offers the app's platforms by the same ids. */
  platform?: string;
  /** strongSwan only; the namespace lab's routers are libipsec, so that is the default here. */
  ipsecStack?: "" | "kernel" | "libipsec";
  publicIp: string;
  lanAddress: string;
  wanInterface?: string;
  lanInterface?: string;
  privateKey?: string;
  role: "hub" | "branch";
  hub?: string;
  psk?: string;
};

/**
 * The wizard's Next: the server checks the step first, so wait until the wizard has
 * moved on or shown the step's errors. True when it moved on.
 */
export async function nextStep(page: Page): Promise<boolean> {
  const current = page.locator('[aria-current="step"]');
  const before = (await current.textContent())!;
  await page.getByRole("button", { name: "Next" }).click();
  const refused = page.getByRole("alert").filter({ hasText: /before going on/ });
  await expect(current.filter({ hasNotText: before }).or(refused)).toBeVisible();
  return !(await refused.isVisible());
}

/**
 * Fills every step; does not submit. False when a step's Next was refused (its errors
 * are on screen, the wizard still on that step).
 */
export async function fillWizard(page: Page, f: SiteForm): Promise<boolean> {
  await page.goto("/sites/new");
  await page.getByLabel("Site name").fill(f.siteName);
  await page.getByLabel("LAN subnets").fill(f.subnets);
  if (!(await nextStep(page))) return false;
  await page.getByLabel("Gateway name").fill(f.gatewayName);
  await page.getByLabel("Platform").selectOption(f.platform ?? "strongswan");
  if ((f.platform ?? "strongswan") === "strongswan") await page.getByLabel("IPsec done by").selectOption(f.ipsecStack ?? "libipsec");
  await page.getByLabel("Public IP (tunnel endpoint)").fill(f.publicIp);
  await page.getByLabel("LAN address (SRCGW)").fill(f.lanAddress);
  if (f.wanInterface) await page.getByLabel("WAN interface").fill(f.wanInterface);
  if (f.lanInterface) await page.getByLabel("LAN interface").fill(f.lanInterface);
  if (!(await nextStep(page))) return false;
  if (f.privateKey !== undefined) {
    // With named SSH credentials in the fleet the wizard offers one first: this form pastes its own key.
    await page.getByLabel("Sign in with").selectOption("key");
    await page.getByLabel("Private key").fill(f.privateKey);
  }
  if (!(await nextStep(page))) return false;
  await page.getByLabel("This site is").selectOption(f.role);
  if (f.role === "branch" && f.hub) await page.getByLabel("Hub gateway").selectOption({ label: f.hub });
  if (f.psk) {
    await page.getByLabel("Pre-shared key", { exact: true }).selectOption("custom");
    await page.getByLabel("Your pre-shared key").fill(f.psk);
  }
  return true;
}

export async function submitWizard(page: Page) {
  await page.getByRole("button", { name: "Create branch office" }).click();
}

/** Adds a user on the Users page as the signed-in admin would (users-and-sessions.spec tests the form itself). */
export async function addUserOnPage(page: Page, user: { username: string; password: string }, role: "admin" | "operator" | "viewer") {
  await page.goto("/users");
  await page.getByLabel("User name").fill(user.username);
  await page.getByLabel("Role").selectOption(role);
  await page.getByLabel("Initial password").fill(user.password);
  await page.getByLabel("Repeat the password").fill(user.password);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("status")).toContainText(`Added ${user.username} (${role})`);
}
