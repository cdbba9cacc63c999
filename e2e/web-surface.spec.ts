// The web surface as an attacker meets it (issue 14, items 13–15, 18, 19): security
// headers with a per-request CSP nonce and no framing; a Host that is not Gatewarden's
// refused (DNS rebinding); changes without Origin or from another origin refused before
// the action runs; the key-bearing bundle only by a POST from the gateway page; bad
// query values and oversized bodies answered 400/411/413, never 500; a database that
// cannot be written shown in the form with the input kept; no start without a public
// URL beyond loopback. Self-contained: its own sites, made through the wizard.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Request } from "@playwright/test";
import { ADMIN, fillWizard, makePrivateKey, signIn, submitWizard } from "./helpers";
import { expect, test } from "./support/fixtures";

const n = 1 + Math.floor(Math.random() * 250);
const tag = `ws${n}`;
const HUB = { site: `Surface hub ${tag}`, gw: `${tag}-hub-gw`, ip: `198.51.100.${n}`, lan: `10.9.${n}.254`, net: `10.9.${n}.0/24` };
const BRANCH = {
  site: `Surface branch ${tag}`,
  gw: `${tag}-branch-gw`,
  ip: `198.51.101.${n}`,
  lan: `10.10.${n}.254`,
  net: `10.10.${n}.0/24`,
};
const key = makePrivateKey();

let port = 0;
let sessionCookie = "";
let branchGatewayUrl = "";

type Raw = { status: number; headers: http.IncomingHttpHeaders; text: string };
/** A request exactly as given: any Host, any Origin or none, a body of any size. */
function raw(
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: Buffer | string,
  opts: { chunked?: boolean } = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, headers: { host: `127.0.0.1:${port}`, ...headers }, setHost: false },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    if (body !== undefined && !opts.chunked) req.setHeader("content-length", Buffer.byteLength(body));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const ownOrigin = () => `http://127.0.0.1:${port}`;
const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)?.[1];

// Each test stands alone (a failure does not stop the others); the sites are made once
// per worker, through the wizard as the admin.
test.beforeAll(async ({ baseURL, browser, adminSession }) => {
  port = Number(new URL(baseURL!).port);
  sessionCookie = `${adminSession.name}=${adminSession.value}`;
  const context = await browser.newContext({ baseURL });
  await context.addCookies([{ ...adminSession, url: baseURL!, httpOnly: true, sameSite: "Lax" }]);
  const page = await context.newPage();
  await fillWizard(page, {
    siteName: HUB.site,
    subnets: HUB.net,
    gatewayName: HUB.gw,
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
    publicIp: BRANCH.ip,
    lanAddress: BRANCH.lan,
    privateKey: key,
    role: "branch",
    hub: `${HUB.gw} — ${HUB.site} (${HUB.ip})`,
  });
  await submitWizard(page);
  await expect(page.getByRole("heading", { name: BRANCH.site })).toBeVisible();
  await page.getByRole("link", { name: BRANCH.gw }).first().click();
  await page.waitForURL(/\/gateways\//);
  branchGatewayUrl = new URL(page.url()).pathname;
  await context.close();
});

test("every page has a nonce CSP, no framing, nosniff and no referrer to other sites, and runs without a CSP violation", async ({
  adminPage: page,
}) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text()))
      violations.push(`${page.url()}: ${m.text()}`);
  });
  const nonces = new Set<string>();
  await page.goto("/tunnels");
  await page.getByTestId("tunnel-table").getByRole("link").first().click();
  await page.waitForURL(/\/tunnels\/[^/]+$/);
  const tunnelUrl = new URL(page.url()).pathname;
  for (const url of [
    "/",
    "/sites",
    "/tunnels",
    tunnelUrl,
    branchGatewayUrl,
    "/sites/new",
    "/tunnels/new",
    "/profiles",
    "/jobs",
    "/audit",
    "/users",
    "/",
  ]) {
    const response = (await page.goto(url))!;
    const h = await response.allHeaders();
    const csp = h["content-security-policy"] ?? "";
    expect(csp, url).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp, url).toContain("frame-ancestors 'none'");
    expect(csp, url).toContain("object-src 'none'");
    expect(csp, url).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(h["x-content-type-options"], url).toBe("nosniff");
    expect(h["referrer-policy"], url).toBe("same-origin");
    expect(h["x-frame-options"], url).toBe("DENY");
    const nonce = nonceOf(csp)!;
    nonces.add(nonce);
    // Every script element the server sent carries this response's nonce.
    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, url).toBeGreaterThan(0);
    for (const s of scripts) expect(s, url).toContain(`nonce="${nonce}"`);
    await page.waitForLoadState("networkidle");
  }
  expect(nonces.size).toBe(12); // a fresh nonce per response
  expect(violations).toEqual([]);
  // The tab shows Gatewarden's icon (it was a 404).
  const icon = await page.locator('head link[rel="icon"]').first().getAttribute("href");
  expect(icon).toMatch(/^\/icon\.svg/);
  const iconResponse = await page.request.get(icon!);
  expect(iconResponse.status()).toBe(200);
  expect(iconResponse.headers()["content-type"]).toContain("image/svg+xml");
  // JSON and plain-text answers carry the headers too.
  const api = await raw("GET", "/api/health", { cookie: sessionCookie });
  expect(api.status).toBe(200);
  expect(api.headers["x-content-type-options"]).toBe("nosniff");
  expect(api.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
});

test("no other site can frame a Gatewarden page (clickjacking)", async ({ adminPage: page }) => {
  await page.goto("about:blank");
  await page.setContent(`<iframe id="victim" src="${ownOrigin()}/tunnels" width="800" height="600"></iframe>`);
  const frame = () => page.frames().find((f) => f !== page.mainFrame());
  // Chromium replaces a frame that frame-ancestors refuses with its error page.
  await expect.poll(() => frame()?.url()).toBe("chrome-error://chromewebdata/");
  expect(await frame()!.locator("nav[aria-label=Main], form").count()).toBe(0);
});

test("the session cookie is HttpOnly and SameSite=Lax, and on loopback (plain http) not Secure", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, ADMIN.username, ADMIN.password);
  const cookie = (await context.cookies()).find((c) => c.name === "gw_session")!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
  await context.close();
});

test("a Host that is not Gatewarden's is refused (DNS rebinding); loopback's aliases are served", async () => {
  for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1:${port + 1}`, `10.11.12.13:${port}`]) {
    for (const p of ["/login", "/setup", "/api/health", "/api/jobs/x"]) {
      const r = await raw("GET", p, { host });
      expect(r.status, `${host}${p}`).toBe(421);
      expect(r.text).toContain(`answers only at http://127.0.0.1:${port}`);
    }
  }
  const forwarded = await raw("GET", "/login", { "x-forwarded-host": "evil.example" });
  expect(forwarded.status).toBe(421);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    expect((await raw("GET", "/login", { host })).status, host).toBe(200);
  }
});

test("a change without Origin or from another origin is refused before the action runs", async ({ adminPage: page }) => {
  const name = `Replayed ${tag}`;
  await page.goto("/profiles");
  await page.getByLabel("Profile name").fill(name);
  let captured: Request | null = null;
  await page.route("**/profiles", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    captured = route.request();
    await route.abort();
  });
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect.poll(() => captured).not.toBeNull();
  await page.unroute("**/profiles");
  const sent = await captured!.allHeaders();
  expect(sent["next-action"]).toBeTruthy();
  expect(sent.origin).toBe(ownOrigin());
  const body = captured!.postDataBuffer()!;
  const replay = (extra: Record<string, string>) =>
    raw(
      "POST",
      "/profiles",
      {
        cookie: sessionCookie,
        "content-type": sent["content-type"]!,
        "next-action": sent["next-action"]!,
        accept: "text/x-component",
        ...extra,
      },
      body,
    );

  const noOrigin = await replay({});
  expect(noOrigin.status).toBe(403);
  expect(noOrigin.text).toMatch(/no Origin header/);
  for (const origin of ["https://evil.example", `http://127.0.0.1:${port + 1}`, "null"]) {
    const foreign = await replay({ origin });
    expect(foreign.status, origin).toBe(403);
  }
  expect((await replay({ origin: ownOrigin(), "sec-fetch-site": "cross-site" })).status).toBe(403);
  await page.goto("/profiles");
  await expect(page.locator(`[data-profile="${name}"]`)).toHaveCount(0);

  // The very same request from Gatewarden's own origin goes through: the check is what refused it.
  const own = await replay({ origin: ownOrigin() });
  expect(own.status).toBe(200);
  await page.goto("/profiles");
  await expect(page.locator(`[data-profile="${name}"]`)).toBeVisible();
});

test("the bundle comes only from a POST of the gateway page; a link or a form on another origin gets nothing", async ({
  adminPage: page,
}) => {
  const bundlePath = `${branchGatewayUrl.replace("/gateways/", "/api/gateways/")}/bundle`;
  const bundleUrl = `${ownOrigin()}${bundlePath}`;
  const auditRows = async () => {
    await page.goto("/audit");
    return page.locator('tr[data-action="bundle.download"]').filter({ hasText: BRANCH.gw }).count();
  };
  const before = await auditRows();

  // A link (GET), as an <a href> or <img> on any site would make the browser send.
  const get = await page.request.get(bundlePath);
  expect(get.status()).toBe(405);
  expect(get.headers().allow).toBe("POST");
  expect(await get.text()).not.toContain("PSK");

  // Another origin — even this host on another port (same site, so the cookie would go
  // along) — whose page posts a form to the bundle at once.
  const attacker = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(
      `<form method="post" action="${bundleUrl}"></form><a id="link" href="${bundleUrl}">free stuff</a><script>document.forms[0].submit()</script>`,
    );
  });
  await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
  try {
    const downloads: string[] = [];
    page.on("download", (d) => downloads.push(d.url()));
    const posted = page.waitForResponse((r) => r.url() === bundleUrl && r.request().method() === "POST");
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    expect((await posted).status()).toBe(403);
    await page.waitForTimeout(500);
    expect(downloads).toEqual([]);
  } finally {
    attacker.close();
  }
  expect(await auditRows()).toBe(before);

  // The page's own button downloads it, audited once.
  await page.goto(branchGatewayUrl);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download bundle" }).click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^gatewarden-${BRANCH.gw}-`));
  expect(await auditRows()).toBe(before + 1);
});

test("bad input is a 400, 411 or 413 with the reason, never a 500", async () => {
  for (const q of ["after=1e308", "after=-1", "after=0x10", "after=1.5", "after=99999999999", "after=1&after=2"]) {
    const r = await raw("GET", `/api/jobs/c0000000000000000000nothing?${q}`, { cookie: sessionCookie });
    expect(r.status, q).toBe(400);
    expect(JSON.parse(r.text).error, q).toMatch(/^Bad request: (after: |give after once)/);
  }
  expect((await raw("GET", "/api/jobs/c0000000000000000000nothing?after=3", { cookie: sessionCookie })).status).toBe(404);
  expect((await raw("GET", "/api/health?tunnel=%7Bnot%7D", { cookie: sessionCookie })).status).toBe(400);

  const big = Buffer.alloc(1024 * 1024 + 512 * 1024, "a");
  const headers = {
    cookie: sessionCookie,
    origin: ownOrigin(),
    "content-type": "text/plain;charset=UTF-8",
    "next-action": "0".repeat(42),
    accept: "text/x-component",
  };
  const tooBig = await raw("POST", "/profiles", headers, big);
  expect(tooBig.status).toBe(413);
  expect(tooBig.text).toMatch(/at most 1048576/);
  const unsized = await raw("POST", "/profiles", headers, big, { chunked: true });
  expect(unsized.status).toBe(411);
  expect(
    (
      await raw(
        "POST",
        `${branchGatewayUrl.replace("/gateways/", "/api/gateways/")}/bundle`,
        { cookie: sessionCookie, origin: ownOrigin() },
        big,
      )
    ).status,
  ).toBe(413);
  // And the server is still fine.
  expect((await raw("GET", "/login", {})).status).toBe(200);
});

test("when the database cannot be written, the form says so and keeps what was typed", async ({ adminPage: page }) => {
  const dataDir = process.env.E2E_DATA_DIR!;
  const frozen = [path.join(dataDir, "gatewarden.db"), dataDir];
  const name = `Frozen ${tag}`;
  await page.goto("/profiles");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("IKE SA lifetime (seconds)").fill("14400");
  execFileSync("chattr", ["+i", ...frozen]);
  try {
    await page.getByRole("button", { name: "Create profile" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "its database cannot be written" })).toBeVisible();
  } finally {
    execFileSync("chattr", ["-i", ...frozen]);
  }
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
  await expect(page.getByLabel("Profile name")).toHaveValue(name);
  await expect(page.getByLabel("IKE SA lifetime (seconds)")).toHaveValue("14400");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByRole("status")).toContainText(`Created ${name}`);
});

test("the server does not start beyond loopback without a public URL, and says why", async () => {
  test.setTimeout(150_000);
  const free = createServer();
  await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
  const freePort = (free.address() as AddressInfo).port;
  await new Promise((r) => free.close(r));
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: {
      ...process.env,
      HOST: "0.0.0.0",
      PORT: String(freePort),
      GATEWARDEN_PUBLIC_URL: "",
      GATEWARDEN_DATA_DIR: mkdtempSync(path.join(tmpdir(), "gatewarden-e2e-nourl-")),
      DATABASE_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const stop = () => {
    try {
      process.kill(-child.pid!, "SIGTERM"); // its group: start.mjs and next-server
    } catch {
      /* already gone */
    }
  };
  let code: number | null;
  try {
    code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 120_000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  } finally {
    stop();
  }
  expect(output).toMatch(/not starting.*listens on 0\.0\.0\.0.*Set GATEWARDEN_PUBLIC_URL/s);
  expect(code).toBe(1);
});
