// A site's health probe target in the browser, on a deployed strongSwan pair of the lab
// (the tunnel-health spec's pair, borrowed: specs run one at a time and both reset the pair
// before and after): the site page refuses an address outside the site's LAN next to the
// field, accepts the branch's LAN host, and the tunnel list and tunnel page then say which
// paths health probes ("router ↔ router + LAN host …", "Probed LAN host … from <hub>").
import { getRouter, requireLabState, type LabState } from "./lab/lab";
import { E2E_LAB } from "./global-setup";
import { expect, test } from "./support/fixtures";
import { LAB_ROUTERS, labGatewayOf, labSiteOf, resetLabRouters, seedLabTunnels } from "./support/lab-routers";
import { runInApp } from "./support/app-process";
import type { TokenRequest } from "./support/api-tokens";
import * as s from "../lib/api/schemas";

test.describe.configure({ mode: "serial" });

const PAIR = LAB_ROUTERS["tunnel-health"].strongswan;
// The wizard makes the branch end A of its tunnel to the hub.
const NAME = `${labSiteOf(PAIR.branch)} ↔ ${labSiteOf(PAIR.hub)}`;
let lab: LabState;
let tunnelId: string;
let siteId: string;

test.beforeAll(async ({ adminSession: _admin }) => {
  test.setTimeout(180_000); // clears the routers, then deploys the tunnels
  lab = requireLabState(E2E_LAB);
  await resetLabRouters(E2E_LAB, "tunnel-health");
  const seeded = await seedLabTunnels(E2E_LAB, "tunnel-health", { deploy: true });
  tunnelId = seeded.find((p) => p.branch === PAIR.branch)!.tunnelId;
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await resetLabRouters(E2E_LAB, "tunnel-health");
});

test("the site page sets the probe target (refusing one outside the LAN), and the tunnel list and page show the probed path", async ({
  adminPage: page,
}) => {
  const host = getRouter(lab, PAIR.branch).lanHost.ip;
  const site = labSiteOf(PAIR.branch);

  // Before: router to router only, labelled so.
  await page.goto("/tunnels");
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: NAME, exact: true }) });
  await expect(row.getByTestId("tunnel-probe-path")).toHaveText("probes router ↔ router");

  await page.goto("/sites");
  await page.getByRole("link", { name: site, exact: true }).click();
  await expect(page).toHaveURL(/\/sites\/[^/]+$/);
  siteId = new URL(page.url()).pathname.split("/").at(-1)!;
  const card = page.getByTestId("probe-target");
  const field = card.getByLabel("Health probe target (optional)");
  await field.fill("10.99.0.10");
  await card.getByRole("button", { name: "Save probe target" }).click();
  await expect(card).toContainText(`10.99.0.10 is not inside this site's LAN subnets (${getRouter(lab, PAIR.branch).lanCidr})`);
  await page.screenshot({ path: test.info().outputPath("probe-target-refused.png"), fullPage: true });

  await field.fill(host);
  await card.getByRole("button", { name: "Save probe target" }).click();
  await expect(card).toContainText(`Health now pings ${host} through this site's tunnels.`);
  await page.reload();
  await expect(card.getByLabel("Health probe target (optional)")).toHaveValue(host);
  await expect(page.getByTestId("tunnel-probe-path")).toHaveText(`probes router ↔ router + LAN host ${host} (${site})`);

  await page.goto("/tunnels");
  await expect(row.getByTestId("tunnel-probe-path")).toHaveText(`probes router ↔ router + LAN host ${host} (${site})`);

  await page.goto(`/tunnels/${tunnelId}`);
  const probes = page.getByTestId("health-probes");
  // The next health round (3 s in the e2e server) pings the host from the hub's LAN address; the page updates live.
  await expect(probes).toContainText(`Probed LAN host ${host} at ${site}, from ${labGatewayOf(PAIR.hub)}`, { timeout: 30_000 });
  await expect(probes).toContainText(`Probed router to router, ${labGatewayOf(PAIR.hub)} → ${labGatewayOf(PAIR.branch)}`);
  await expect(page.getByTestId("health-reason")).toContainText(`probe LAN host ${host} at ${site}`);
  await page.screenshot({ path: test.info().outputPath("probe-target-tunnel-page.png"), fullPage: true });
});

test("the REST API reads and sets the probe target with the same checks", async ({ request }) => {
  const { token } = await runInApp<{ id: string; token: string }>("api-tokens.ts", ["create"], {
    username: "probe-api",
    role: "admin",
    scope: "admin",
  } satisfies TokenRequest);
  const headers = { authorization: `Bearer ${token}` };
  const url = `/api/v1/sites/${siteId}/probe-target`;
  const host = getRouter(lab, PAIR.branch).lanHost.ip;

  const read = s.siteDetailSchema.parse(await (await request.get(`/api/v1/sites/${siteId}`, { headers })).json());
  expect(read.probeTarget).toBe(host);

  const refused = await request.post(url, { headers, data: { probeTarget: "10.99.0.10" } });
  expect(refused.status()).toBe(422);
  expect(s.errorSchema.parse(await refused.json()).error.fieldErrors).toEqual({
    probeTarget: expect.stringMatching(/^10\.99\.0\.10 is not inside this site's LAN subnets/),
  });

  const cleared = await request.post(url, { headers, data: { probeTarget: null } });
  expect(cleared.status()).toBe(200);
  expect(s.siteDetailSchema.parse(await cleared.json()).probeTarget).toBeNull();
});
