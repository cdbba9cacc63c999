// The alert settings as an admin meets them: a webhook channel whose signing key is
// refused when the URL is bad and never shown again, a rule that needs a channel, the
// rotation window refusing a bad cron expression next to the field and listing its next
// openings, the changes in the audit log, and the Alerts page. Self-contained: the admin
// signs in through the app (support/fixtures.ts); no router is involved. Named to sort
// after foundation.spec.ts, whose first test needs the fresh database. The channel points
// at a closed port on loopback and is deleted at the end, so later specs that take
// tunnels down send nothing anywhere.
import { expect, test } from "./support/fixtures";

test.describe.configure({ mode: "serial" });

const tag = `al${100 + Math.floor(Math.random() * 900)}`;
const CHANNEL = `${tag} hook`;
const RULE = `${tag} tunnels down`;
const SIGNING_KEY = `signing key ${tag} do not show`;

test("an admin adds a webhook channel: a bad URL is refused next to the field, the key is never shown", async ({ adminPage: page }) => {
  await page.goto("/alerts/settings");
  await page.getByLabel("Channel name").fill(CHANNEL);
  await page.getByLabel("URL").fill("ftp://hooks.example.net/x");
  await page.getByLabel("Signing key (optional)").fill(SIGNING_KEY);
  await page.getByRole("button", { name: "Add channel" }).click();
  await expect(page.locator("#f-url-error")).toHaveText(/http:\/\/ or https:\/\//);
  await expect(page.getByLabel("Channel name")).toHaveValue(CHANNEL);

  await page.getByLabel("URL").fill("http://127.0.0.1:9/gatewarden");
  await page.getByLabel("Signing key (optional)").fill(SIGNING_KEY);
  await page.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByRole("status")).toContainText(`Added the channel ${CHANNEL}`);
  const channels = page.getByTestId("alert-channels");
  await expect(channels).toContainText(CHANNEL);
  await expect(channels).toContainText("http://127.0.0.1:9/gatewarden · signed");
  await page.reload();
  expect(await page.content()).not.toContain(SIGNING_KEY);
});

test("a rule needs a channel and a whole grace period; then it is listed", async ({ adminPage: page }) => {
  await page.goto("/alerts/settings");
  await page.getByLabel("Rule name").fill(RULE);
  await page.getByLabel("Watch").selectOption("tunnel-down");
  await page.getByLabel("Grace period (seconds)").fill("1.5");
  await page.getByRole("button", { name: "Add rule" }).click();
  await expect(page.locator("#f-channelId-error")).toHaveText("choose a channel");
  await expect(page.locator("#f-graceSeconds-error")).toHaveText("whole seconds");

  await page.getByLabel("Send to").selectOption({ label: CHANNEL });
  await page.getByLabel("Grace period (seconds)").fill("120");
  await page.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("status")).toContainText(`Added the rule ${RULE}`);
  await expect(page.getByTestId("alert-rules")).toContainText(RULE);
  await expect(page.getByTestId("alert-rules")).toContainText(`Tunnel down · grace 120 s → ${CHANNEL}`);
});

test("the rotation window refuses a bad cron expression next to the field, then lists its next openings", async ({ adminPage: page }) => {
  await page.goto("/alerts/settings");
  await page.getByLabel("Rotate keys past or near their age in the window").check();
  await page.getByLabel("Window opens (cron, UTC)").fill("every sunday");
  await page.getByRole("button", { name: "Save window" }).click();
  await expect(page.locator("#f-cron-error")).toHaveText(/^not a cron expression/);

  await page.getByLabel("Window opens (cron, UTC)").fill("0 3 * * 0");
  await page.getByRole("button", { name: "Save window" }).click();
  await expect(page.getByRole("status")).toContainText("Scheduled rotation is on.");
  await expect(page.getByTestId("next-windows")).toContainText(/Next windows \(UTC\): \d{4}-\d\d-\d\d 03:00/);
});

test("the changes are in the audit log, and the Alerts page shows nothing firing", async ({ adminPage: page }) => {
  await page.goto("/audit");
  await expect(page.getByText(`Added the webhook alert channel ${CHANNEL}`)).toBeVisible();
  await expect(page.getByText(new RegExp(`Added the alert rule ${RULE} \\(Tunnel down, grace 120 s\\)`))).toBeVisible();
  await expect(page.getByText(/Scheduled PSK rotation on/).first()).toBeVisible();
  expect(await page.content()).not.toContain(SIGNING_KEY);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alerts" }).click();
  await expect(page.getByRole("heading", { name: "Alerts", exact: true })).toBeVisible();
  await expect(page.getByText("Nothing is firing")).toBeVisible();
});

test("deleting the channel deletes its rule", async ({ adminPage: page }) => {
  await page.goto("/alerts/settings");
  page.once("dialog", (d) => void d.accept());
  await page
    .getByTestId("alert-channels")
    .getByRole("listitem")
    .filter({ hasText: CHANNEL })
    .getByRole("button", { name: "Delete" })
    .click();
  // The row goes, with its button and message; the rule that sent to it goes too.
  await expect(page.getByTestId("alert-channels").filter({ hasText: CHANNEL })).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("alert-rules").filter({ hasText: RULE })).toHaveCount(0);
  await page.goto("/audit");
  await expect(page.getByText(`Deleted the alert channel ${CHANNEL} and its rules`)).toBeVisible();
});

test("scheduled rotation is turned off again, so later specs' tunnels are not rotated behind their backs", async ({ adminPage: page }) => {
  await page.goto("/alerts/settings");
  await page.getByLabel("Rotate keys past or near their age in the window").uncheck();
  await page.getByRole("button", { name: "Save window" }).click();
  await expect(page.getByRole("status")).toContainText("Scheduled rotation is off.");
});
