// The pages a viewer can open but not act on offer no live control: Add tunnel and the
// gateway's host-key controls are disabled with the reason (deniedReason's words), as
// Deploy, Delete and Reveal already are (foundation.spec.ts). Runs on a made-up fleet.
import { runInApp } from "./support/app-process";
import { expect, signInThroughApp, test } from "./support/fixtures";
import { addUserOnPage } from "./helpers";
import type { MadeUpFleet } from "./support/made-up-fleet";

test.describe.configure({ mode: "serial" });

let fleet: MadeUpFleet;
test.beforeAll(async ({ adminSession: _admin }) => {
  fleet = await runInApp<MadeUpFleet>("made-up-fleet.ts", ["add", "1"]);
});

test.afterAll(async () => {
  await runInApp("made-up-fleet.ts", ["remove"]);
});

test("a viewer gets Add tunnel and the host-key controls disabled, each with the reason", async ({ adminPage: page, browser, baseURL }) => {
  const viewer = { username: `v${100 + Math.floor(Math.random() * 900)}-reader`, password: "the reading room's brass lamp" };
  await addUserOnPage(page, viewer, "viewer");

  const context = await browser.newContext();
  try {
    await signInThroughApp(context, baseURL!, viewer);
    const v = await context.newPage();
    await v.goto("/tunnels/new");
    await expect(v.getByRole("button", { name: "Add tunnel" })).toBeDisabled();
    await expect(v.getByTestId("denied-reason")).toHaveText("Your role (viewer) cannot add tunnels: admins and operators only.");
    await v.screenshot({ path: test.info().outputPath("viewer-add-tunnel.png"), fullPage: true });

    await v.goto(`/gateways/${fleet.hubGatewayId}`);
    await expect(v.getByRole("button", { name: "Check host key" })).toBeDisabled();
    await expect(v.getByRole("button", { name: "Deploy all pending" })).toBeDisabled();
    // The gateway page also says why the viewer cannot manage SSH credentials: one reason per control.
    await expect(v.getByTestId("denied-reason").filter({ hasText: "contact gateways" })).toHaveText(
      "Your role (viewer) cannot contact gateways or deploy: admins and operators only.",
    );
    await v.screenshot({ path: test.info().outputPath("viewer-gateway.png"), fullPage: true });
  } finally {
    await context.close();
  }
});
