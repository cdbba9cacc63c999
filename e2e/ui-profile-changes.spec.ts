// Crypto profiles as an admin changes them: a built-in profile can only be cloned (its
// Edit and Delete are disabled with the reason), the clone opens in its edit form, a bad
// value is refused next to its field, the saved profile shows its new values, deleting
// an unused one removes it, and the audit log has each change. A viewer gets every
// control disabled with the reason. Screenshots of each state land in the test output.
import { expect, test } from "./support/fixtures";
import { addUserOnPage } from "./helpers";
import { signInThroughApp } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

const tag = `p${100 + Math.floor(Math.random() * 900)}`;
const NAME = `UI branch ${tag}`;
const card = (page: import("@playwright/test").Page, name: string) => page.locator(`[data-profile="${name}"]`);

test("a built-in profile can only be cloned; the clone is edited with errors next to the field, then deleted", async ({
  adminPage: page,
}) => {
  await page.goto("/profiles");
  const modern = card(page, "Modern");
  await expect(modern.getByRole("button", { name: "Edit" })).toBeDisabled();
  await expect(modern.getByTestId("edit-refusal")).toHaveText("Modern is built in and cannot be edited; clone it and edit the copy.");
  await expect(modern.getByRole("button", { name: "Delete" })).toBeDisabled();
  await expect(modern.getByTestId("denied-reason")).toHaveText("Modern is built in and cannot be deleted.");
  await modern.screenshot({ path: test.info().outputPath("profile-built-in.png") });

  await modern.getByRole("button", { name: "Clone" }).click();
  await page.waitForURL(/\/profiles\/[^/]+\/edit$/);
  await expect(page.getByRole("heading", { name: /^Edit Modern \(copy( \d+)?\)$/ })).toBeVisible();
  await expect(page.getByLabel("IKE cipher")).toHaveValue("aes256");

  await page.getByLabel("Profile name").fill(NAME);
  await page.getByLabel("IKE SA lifetime (seconds)").fill("5");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.locator("#f-ikeLifetimeSeconds-error")).toHaveText("Whole seconds from 300 (5 minutes) to 86400 (1 day)");
  await expect(page.getByLabel("Profile name")).toHaveValue(NAME);
  await page.screenshot({ path: test.info().outputPath("profile-edit-error.png"), fullPage: true });

  await page.getByLabel("IKE SA lifetime (seconds)").fill("7200");
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.waitForURL(/\/profiles$/);
  const mine = card(page, NAME);
  await expect(mine).toContainText("IKE 7200 s · CHILD 3600 s");
  await expect(mine).toContainText("custom");
  await expect(mine.getByRole("link", { name: "Edit" })).toBeVisible();
  await mine.screenshot({ path: test.info().outputPath("profile-edited.png") });

  page.once("dialog", (d) => void d.accept());
  await mine.getByRole("button", { name: "Delete" }).click();
  await expect(mine).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath("profile-deleted.png"), fullPage: true });

  await page.goto("/audit");
  await expect(page.getByText(new RegExp(`Cloned crypto profile Modern as Modern \\(copy`)).first()).toBeVisible();
  await expect(page.getByText(new RegExp(`Edited crypto profile Modern \\(copy( \\d+)?\\) \\(now ${NAME}\\)`))).toBeVisible();
  await expect(page.getByText(`Deleted crypto profile ${NAME}`)).toBeVisible();
});

test("a viewer sees every profile control disabled, with the reason", async ({ adminPage: page, browser, baseURL }) => {
  const viewer = { username: `${tag}-viewer`, password: "a viewer's quiet lantern" };
  await addUserOnPage(page, viewer, "viewer");

  const context = await browser.newContext();
  try {
    await signInThroughApp(context, baseURL!, viewer);
    const v = await context.newPage();
    await v.goto("/profiles");
    const modern = card(v, "Modern");
    for (const name of ["Edit", "Clone", "Delete"]) await expect(modern.getByRole("button", { name })).toBeDisabled();
    await expect(modern.getByTestId("denied-reason")).toHaveText("Your role (viewer) cannot change crypto profiles: admins only.");
    await expect(v.getByRole("button", { name: "Create profile" })).toHaveCount(0);
    await v.screenshot({ path: test.info().outputPath("profiles-viewer.png"), fullPage: true });
  } finally {
    await context.close();
  }
});
