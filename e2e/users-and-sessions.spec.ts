// Accounts and sessions as people meet them: weak passwords refused next to the field,
// the sessions list (where each session came from, ending the others), a password
// change, and an admin disabling someone whose session then ends at once. A direct
// client's forged X-Forwarded-For is not believed. Self-contained: the admin signs in
// through the app (support/fixtures.ts) and adds this spec's own user via the form.
// Named to sort after foundation.spec.ts, whose first test needs the fresh database.
import { signIn } from "./helpers";
import { expect, test } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

const tag = `sec${100 + Math.floor(Math.random() * 900)}`;
const USER = { username: `${tag}-ops`, password: "a quiet orchard at dawn" };
const NEW_PASSWORD = "the lighthouse keeper's second kettle";

test("an admin adds a user; a guessable password is refused next to the field", async ({ adminPage: page }) => {
  await page.goto("/users");
  await page.getByLabel("User name").fill(USER.username);
  await page.getByLabel("Role").selectOption("operator");
  for (const [weak, reason] of [
    ["password1234", /commonly used password/],
    ["aaaaaaaaaaaa", /Repeated characters/],
    [`${USER.username}-2026`, /user name/],
  ] as const) {
    await page.getByLabel("Initial password").fill(weak);
    await page.getByLabel("Repeat the password").fill(weak);
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.locator("#f-password-error")).toHaveText(reason);
    // What was typed stays, so only the password needs fixing.
    await expect(page.getByLabel("User name")).toHaveValue(USER.username);
  }
  await page.getByLabel("Initial password").fill(USER.password);
  await page.getByLabel("Repeat the password").fill(USER.password);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("status")).toContainText(`Added ${USER.username} (operator)`);
});

test("the sessions list shows where each session came from, ignoring a forged X-Forwarded-For, and ends the others", async ({
  browser,
}) => {
  // This browser claims to be someone else; the app is not behind a trusted proxy.
  const forged = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.9", "X-Gatewarden-Peer": "198.51.100.1" } });
  const other = await browser.newContext();
  try {
    const page = await forged.newPage();
    await signIn(page, USER.username, USER.password);
    const second = await other.newPage();
    await signIn(second, USER.username, USER.password);

    await page.goto("/settings");
    const rows = page.getByTestId("session-row");
    await expect(rows).toHaveCount(2);
    await expect(page.getByTestId("session-client")).toHaveText(["127.0.0.1", "127.0.0.1"]);
    await expect(page.locator('[data-testid="session-row"][data-current="true"]')).toContainText("This session");

    await page.getByRole("button", { name: "End all other sessions" }).click();
    await expect(page.getByRole("status")).toHaveText("Ended 1 other session.");
    await expect(rows).toHaveCount(1);
    await second.goto("/");
    await expect(second).toHaveURL(/\/login$/);
  } finally {
    await forged.close();
    await other.close();
  }
});

test("changing your own password: the wrong current password and a weak new one are shown next to their fields", async ({ browser }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, USER.username, USER.password);
    await page.goto("/settings");
    const form = page.getByRole("button", { name: "Change password" });
    await page.getByLabel("Current password").fill("not my password at all");
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
    await form.click();
    await expect(page.locator("#f-current-error")).toHaveText("That is not your current password");

    await page.getByLabel("Current password").fill(USER.password);
    await page.getByLabel("New password", { exact: true }).fill("            ");
    await page.getByLabel("Repeat the new password").fill("            ");
    await form.click();
    await expect(page.locator("#f-password-error")).toContainText("only spaces");

    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
    await form.click();
    await expect(page.getByRole("status")).toContainText("Password changed");
    USER.password = NEW_PASSWORD;
  } finally {
    await context.close();
  }
});

test("an admin disables a user: the user's open page goes to sign-in at once; the change is audited", async ({
  adminPage: page,
  browser,
}) => {
  const context = await browser.newContext();
  try {
    const userPage = await context.newPage();
    await signIn(userPage, USER.username, USER.password);

    await page.goto("/users");
    await page.getByRole("link", { name: USER.username }).click();
    await expect(page.getByRole("heading", { name: USER.username })).toBeVisible();
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Disable" }).click();
    await expect(page.getByRole("status")).toContainText(`${USER.username} is disabled`);

    await userPage.goto("/tunnels");
    await expect(userPage).toHaveURL(/\/login$/);
    await page.goto("/audit");
    // This page's session and the one the password change kept (closing a browser does not end its session).
    await expect(page.locator('tr[data-action="user.disable"]').first()).toContainText(`Disabled ${USER.username} (2 sessions ended)`);
  } finally {
    await context.close();
  }
});
