// The REST API over real HTTP with API tokens, against the app server and this spec's own
// lab routers (a strongSwan pair): an admin creates a token on the tokens page (shown
// once); scripts then add a hub and a branch office, pin both host keys, deploy the
// tunnel to the lab, follow the job and its log, rotate the key and read the tunnel's
// health — all through /api/v1. Role and scope refusals, a revoked token refused at once,
// the OpenAPI document covering every route file, and every answer parsed with its schema.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import type { z } from "zod";
import { getRouter, requireLabState, type LabState } from "./lab/lab";
import { E2E_LAB } from "./global-setup";
import { expect, test } from "./support/fixtures";
import { runInApp } from "./support/app-process";
import { resetLabRouters } from "./support/lab-routers";
import type { TokenRequest } from "./support/api-tokens";
import * as s from "../lib/api/schemas";

test.describe.configure({ mode: "serial" });

const HUB = "branch12";
const BRANCH = "branch13";
let lab: LabState;
let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const tokens: Record<"admin" | "operator" | "viewer" | "metrics", string> = { admin: "", operator: "", viewer: "", metrics: "" };
const ids = { hubGateway: "", branchGateway: "", branchSite: "", tunnel: "" };

const makeToken = (req: TokenRequest) => runInApp<{ id: string; token: string }>("api-tokens.ts", ["create"], req);

type CallOptions = { method: "GET" | "POST"; route: string; path?: string; token?: string; body?: unknown; status: number };

/** Every call: the status must be one the document lists for the route, and the body must parse with its schema. */
async function call<T extends z.ZodType>(request: APIRequestContext, opts: CallOptions & { schema: T }): Promise<z.output<T>> {
  return send(request, opts, opts.schema);
}

/** A refused call: the error body's schema. */
async function refuse(request: APIRequestContext, opts: CallOptions) {
  return send(request, opts, s.errorSchema);
}

async function send<T extends z.ZodType>(request: APIRequestContext, opts: CallOptions, schema: T): Promise<z.output<T>> {
  const url = `/api/v1${opts.path ?? opts.route}`;
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const res = await request.fetch(url, { method: opts.method, headers, ...(opts.body !== undefined ? { data: opts.body } : {}) });
  const json = await res.json();
  expect(res.status(), `${opts.method} ${url}: ${JSON.stringify(json)}`).toBe(opts.status);
  const documented = doc.paths[opts.route]?.[opts.method.toLowerCase()]?.responses ?? {};
  expect(Object.keys(documented), `${opts.method} ${opts.route} documents ${opts.status}`).toContain(String(opts.status));
  const parsed = schema.safeParse(json);
  expect(parsed.success, `${opts.method} ${url} answer matches its schema: ${parsed.error?.message}`).toBe(true);
  return parsed.data as z.output<T>;
}

async function waitForJob(request: APIRequestContext, jobId: string) {
  const until = Date.now() + 150_000;
  for (;;) {
    const job = await call(request, {
      method: "GET",
      route: "/jobs/{id}",
      path: `/jobs/${jobId}`,
      token: tokens.viewer,
      status: 200,
      schema: s.jobSchema,
    });
    if (job.status !== "queued" && job.status !== "running") return job;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function siteBody(routerName: string, extra: Record<string, string>) {
  const r = getRouter(lab, routerName);
  return {
    siteName: `API ${routerName}`,
    subnets: [r.lanCidr],
    gatewayName: `api-${routerName}-gw`,
    platform: r.platform,
    ipsecStack: lab.backend !== "vm" && r.platform === "strongswan" ? "libipsec" : "kernel",
    publicIp: r.publicIp,
    sshPort: r.sshPort,
    sshUser: r.sshUser,
    sshAuthType: "key",
    sshPrivateKey: readFileSync(lab.managementKey.privateKeyPath, "utf8"),
    wanInterface: r.wanInterface,
    lanInterface: r.lanInterface,
    lanAddress: r.lanAddress,
    ...extra,
  };
}

test.beforeAll(async ({ adminSession: _admin, request }) => {
  test.setTimeout(180_000);
  lab = requireLabState(E2E_LAB);
  await resetLabRouters(E2E_LAB, "api");
  doc = await (await request.get("/api/v1/openapi.json")).json();
});

test.afterAll(async () => {
  test.setTimeout(180_000);
  await resetLabRouters(E2E_LAB, "api");
});

test("the OpenAPI document is 3.1 and documents every /api/v1 route file and method", async ({ request }) => {
  const res = await request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.openapi).toBe("3.1.0");
  const root = path.resolve("app/api/v1");
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === "route.ts") {
        const route =
          "/" +
          path
            .relative(root, dir)
            .split(path.sep)
            .join("/")
            .replace(/\[(\w+)\]/g, "{$1}");
        for (const m of readFileSync(p, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE) =/g)) found.push(`${m[1]} ${route}`);
      }
    }
  };
  walk(root);
  const documented = Object.entries(body.paths as Record<string, object>).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  expect(found.length).toBeGreaterThan(10);
  expect(documented.sort()).toEqual(found.sort());
  // Every operation names its success schema and the shared error schema.
  for (const ops of Object.values(body.paths as Record<string, Record<string, { responses: Record<string, { content: unknown }> }>>)) {
    for (const op of Object.values(ops)) expect(Object.keys(op.responses).some((c) => c.startsWith("2"))).toBe(true);
  }
  expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining(["Error", "Tunnel", "BranchOfficeInput", "Job"]));
});

test("an admin creates an API token on the tokens page, shown once", async ({ adminPage: page }) => {
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill("e2e admin script");
  await page.getByLabel("Scope").selectOption("admin");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByTestId("new-token");
  await expect(shown).toHaveText(/^gw_[A-Za-z0-9_-]{43}$/);
  tokens.admin = (await shown.textContent())!.trim();
  const row = page.locator('tr[data-token-name="e2e admin script"]');
  await expect(row).toContainText(tokens.admin.slice(0, 11));
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(tokens.admin);

  tokens.operator = (await makeToken({ username: "api-otto", role: "operator", scope: "operate" })).token;
  tokens.viewer = (await makeToken({ username: "api-vic", role: "viewer", scope: "read" })).token;
  tokens.metrics = (await makeToken({ username: "api-vic", role: "viewer", scope: "metrics" })).token;
});

test("refusals: no token, a metrics token, and roles below the call's", async ({ request }) => {
  const noToken = await refuse(request, { method: "GET", route: "/sites", status: 401 });
  expect(noToken.error.code).toBe("missing_token");
  const bad = await refuse(request, { method: "GET", route: "/sites", token: "gw_" + "x".repeat(43), status: 401 });
  expect(bad.error.code).toBe("invalid_token");
  const metrics = await refuse(request, { method: "GET", route: "/sites", token: tokens.metrics, status: 403 });
  expect(metrics.error.code).toBe("insufficient_scope");
  const viewer = await refuse(request, { method: "POST", route: "/sites", token: tokens.viewer, body: {}, status: 403 });
  expect(viewer.error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/add sites/) });
  // Reads are every role's.
  await call(request, { method: "GET", route: "/sites", token: tokens.viewer, status: 200, schema: s.sitePageSchema });
});

test("adds a hub and a branch office with the wizard's checks and errors", async ({ request }) => {
  const invalid = await refuse(request, {
    method: "POST",
    route: "/sites",
    token: tokens.operator,
    body: { ...siteBody(HUB, { role: "hub" }), siteName: "", subnets: ["10.0.0.0/33"] },
    status: 422,
  });
  expect(invalid.error.code).toBe("validation");
  expect(Object.keys(invalid.error.fieldErrors ?? {})).toEqual(expect.arrayContaining(["siteName", "subnets"]));
  const wrongType = await refuse(request, {
    method: "POST",
    route: "/sites",
    token: tokens.operator,
    body: { siteName: { $ne: 1 } },
    status: 422,
  });
  expect(wrongType.error.fieldErrors).toHaveProperty("siteName");

  const hub = await call(request, {
    method: "POST",
    route: "/sites",
    token: tokens.operator,
    body: siteBody(HUB, { role: "hub" }),
    status: 201,
    schema: s.branchOfficeCreatedSchema,
  });
  ids.hubGateway = hub.gatewayId;
  expect(hub.tunnelId).toBeNull();
  const profiles = await call(request, {
    method: "GET",
    route: "/crypto-profiles",
    token: tokens.viewer,
    status: 200,
    schema: s.cryptoProfileListSchema,
  });
  // The built-in IKEv2 profile (not the article's legacy one, which the wizard calls weak).
  const ikev2 = profiles.items.find((p) => p.name === "Modern")!;
  expect(ikev2).toBeDefined();
  const branch = await call(request, {
    method: "POST",
    route: "/sites",
    token: tokens.operator,
    body: siteBody(BRANCH, { role: "branch", hubGatewayId: ids.hubGateway, cryptoProfileId: ikev2.id }),
    status: 201,
    schema: s.branchOfficeCreatedSchema,
  });
  ids.branchGateway = branch.gatewayId;
  ids.branchSite = branch.site.id;
  ids.tunnel = branch.tunnelId!;
  expect(branch.site.subnets).toEqual([getRouter(lab, BRANCH).lanCidr]);

  // The same site again: the wizard's "already exists" errors, nothing written.
  const twice = await refuse(request, {
    method: "POST",
    route: "/sites",
    token: tokens.operator,
    body: siteBody(HUB, { role: "hub" }),
    status: 422,
  });
  expect(twice.error.fieldErrors).toMatchObject({ siteName: expect.stringMatching(/already exists/) });
  const site = await call(request, {
    method: "GET",
    route: "/sites/{id}",
    path: `/sites/${ids.branchSite}`,
    token: tokens.viewer,
    status: 200,
    schema: s.siteDetailSchema,
  });
  expect(site.tunnelIds).toEqual([ids.tunnel]);
  await refuse(request, { method: "GET", route: "/sites/{id}", path: "/sites/nope", token: tokens.viewer, status: 404 });
});

test("pins host keys (admins only), deploys to the lab and follows the job and its log", async ({ request }) => {
  test.setTimeout(180_000);
  // Deploying before the keys are pinned is refused with a reason.
  const early = await refuse(request, {
    method: "POST",
    route: "/tunnels/{id}/deploy",
    path: `/tunnels/${ids.tunnel}/deploy`,
    token: tokens.operator,
    status: 409,
  });
  expect(early.error.code).toBe("host_key");
  for (const [gatewayId, routerName] of [
    [ids.hubGateway, HUB],
    [ids.branchGateway, BRANCH],
  ] as const) {
    const check = await call(request, {
      method: "POST",
      route: "/gateways/{id}/host-key/check",
      path: `/gateways/${gatewayId}/host-key/check`,
      token: tokens.operator,
      status: 200,
      schema: s.hostKeyCheckSchema,
    });
    // The lab generated the key itself: its record is the out-of-band check.
    expect(check.offered).toBe(getRouter(lab, routerName).hostKeyFingerprint);
    const route = "/gateways/{id}/host-key/accept";
    const acceptPath = `/gateways/${gatewayId}/host-key/accept`;
    const refused = await refuse(request, {
      method: "POST",
      route,
      path: acceptPath,
      token: tokens.operator,
      body: { fingerprint: check.offered },
      status: 403,
    });
    expect(refused.error.code).toBe("forbidden");
    const gw = await call(request, {
      method: "POST",
      route,
      path: acceptPath,
      token: tokens.admin,
      body: { fingerprint: check.offered },
      status: 200,
      schema: s.gatewaySchema,
    });
    expect(gw.hostKey.pinned).toBe(check.offered);
  }

  const viewer = await refuse(request, {
    method: "POST",
    route: "/tunnels/{id}/deploy",
    path: `/tunnels/${ids.tunnel}/deploy`,
    token: tokens.viewer,
    status: 403,
  });
  expect(viewer.error.code).toBe("forbidden");
  const start = await call(request, {
    method: "POST",
    route: "/tunnels/{id}/deploy",
    path: `/tunnels/${ids.tunnel}/deploy`,
    token: tokens.operator,
    status: 202,
    schema: s.jobStartedSchema,
  });
  const job = await waitForJob(request, start.jobId);
  expect(job, JSON.stringify(job)).toMatchObject({
    kind: "deploy",
    status: "succeeded",
    createdByName: expect.stringMatching(/^api-otto \(API token/),
  });
  const logs = await call(request, {
    method: "GET",
    route: "/jobs/{id}/logs",
    path: `/jobs/${start.jobId}/logs`,
    token: tokens.viewer,
    status: 200,
    schema: s.jobLogsSchema,
  });
  expect(logs.items.length).toBeGreaterThan(0);
  expect(logs.done).toBe(true);
  const rest = await call(request, {
    method: "GET",
    route: "/jobs/{id}/logs",
    path: `/jobs/${start.jobId}/logs?after=${logs.next}`,
    token: tokens.viewer,
    status: 200,
    schema: s.jobLogsSchema,
  });
  expect(rest.items).toEqual([]);
  await refuse(request, {
    method: "GET",
    route: "/jobs/{id}/logs",
    path: `/jobs/${start.jobId}/logs?after=1e308`,
    token: tokens.viewer,
    status: 400,
  });
});

test("rotates the key and reads the tunnel's health", async ({ request }) => {
  test.setTimeout(180_000);
  const start = await call(request, {
    method: "POST",
    route: "/tunnels/{id}/rotate",
    path: `/tunnels/${ids.tunnel}/rotate`,
    token: tokens.operator,
    status: 202,
    schema: s.jobStartedSchema,
  });
  expect(start.tunnels).toBe(1);
  expect((await waitForJob(request, start.jobId)).status).toBe("succeeded");

  const until = Date.now() + 60_000;
  let tunnel;
  for (;;) {
    tunnel = await call(request, {
      method: "GET",
      route: "/tunnels/{id}",
      path: `/tunnels/${ids.tunnel}`,
      token: tokens.viewer,
      status: 200,
      schema: s.tunnelDetailSchema,
    });
    if ((tunnel.health.state === "up" && tunnel.lastSample) || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  expect(tunnel.health.state, JSON.stringify(tunnel.health)).toBe("up");
  expect(tunnel.deployState).toBe("deployed");
  expect(tunnel.keys.find((k) => k.status === "active")?.version).toBe(2);
  expect(tunnel.lastSample).toMatchObject({ state: "up" });

  const list = await call(request, {
    method: "GET",
    route: "/tunnels",
    path: "/tunnels?state=up",
    token: tokens.viewer,
    status: 200,
    schema: s.tunnelPageSchema,
  });
  expect(list.items.map((t) => t.id)).toContain(ids.tunnel);
  await refuse(request, { method: "GET", route: "/tunnels", path: "/tunnels?state=sideways", token: tokens.viewer, status: 400 });
  await refuse(request, { method: "GET", route: "/tunnels", path: "/tunnels?page=1&page=2", token: tokens.viewer, status: 400 });
  const gateways = await call(request, {
    method: "GET",
    route: "/gateways",
    token: tokens.viewer,
    status: 200,
    schema: s.gatewayPageSchema,
  });
  expect(gateways.items.map((g) => g.id)).toEqual(expect.arrayContaining([ids.hubGateway, ids.branchGateway]));
  await call(request, {
    method: "GET",
    route: "/gateways/{id}",
    path: `/gateways/${ids.branchGateway}`,
    token: tokens.viewer,
    status: 200,
    schema: s.gatewaySchema,
  });

  const audit = await call(request, { method: "GET", route: "/audit", token: tokens.viewer, status: 200, schema: s.auditEventPageSchema });
  const actions = audit.items.map((e) => `${e.action} ${e.actorName}`);
  expect(actions).toEqual(expect.arrayContaining([expect.stringMatching(/^site\.create api-otto \(API token/), "apiToken.create admin"]));
});

test("a revoked token is refused at once; teardown through the API", async ({ request, adminPage: page }) => {
  test.setTimeout(180_000);
  const victim = await makeToken({ username: "api-otto", role: "operator", scope: "read" });
  await call(request, { method: "GET", route: "/tunnels", token: victim.token, status: 200, schema: s.tunnelPageSchema });
  await page.goto("/settings/tokens");
  page.once("dialog", (d) => d.accept());
  const row = page.locator('tr[data-token-name="api-otto read"]');
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByTestId("token-state")).toContainText("revoked by admin");
  const refused = await refuse(request, { method: "GET", route: "/tunnels", token: victim.token, status: 401 });
  expect(refused.error.code).toBe("revoked_token");

  const start = await call(request, {
    method: "POST",
    route: "/tunnels/{id}/teardown",
    path: `/tunnels/${ids.tunnel}/teardown`,
    token: tokens.operator,
    status: 202,
    schema: s.jobStartedSchema,
  });
  expect((await waitForJob(request, start.jobId)).status).toBe("succeeded");
});
