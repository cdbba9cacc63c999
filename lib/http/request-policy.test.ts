import { describe, expect, it } from "vitest";
import { publicWeb } from "@/lib/config/public-web";
import { MAX_BODY_BYTES, requestRefusal } from "./request-policy";

const loopback = publicWeb({ host: "127.0.0.1", port: "3000", secureCookies: "auto" });
const remote = publicWeb({ publicUrl: "https://gw.example.net", host: "0.0.0.0", port: "3000", secureCookies: "auto" });
const h = (headers: Record<string, string>) => new Headers(headers);

describe("requestRefusal", () => {
  it("lets the app's own pages and changes through", () => {
    expect(requestRefusal("GET", h({ host: "127.0.0.1:3000" }), loopback)).toBeNull();
    expect(requestRefusal("GET", h({ host: "localhost:3000" }), loopback)).toBeNull();
    expect(
      requestRefusal(
        "POST",
        h({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-origin", "content-length": "512" }),
        loopback,
      ),
    ).toBeNull();
    expect(
      requestRefusal(
        "POST",
        h({ host: "gw.example.net", origin: "https://gw.example.net", "content-length": String(MAX_BODY_BYTES) }),
        remote,
      ),
    ).toBeNull();
  });

  it.each([
    ["another name resolving here (DNS rebinding)", h({ host: "evil.example:3000" })],
    ["another port", h({ host: "127.0.0.1:3001" })],
    ["no Host at all", h({})],
    ["the server's address instead of its public name", h({ host: "10.0.0.5:3000" })],
  ])("refuses %s with 421", (_label, headers) => {
    const web = headers.get("host")?.startsWith("10.") ? remote : loopback;
    expect(requestRefusal("GET", headers, web)).toMatchObject({ status: 421, message: expect.stringMatching(/answers only at/) });
  });

  it("refuses a request forwarded for another host", () => {
    expect(requestRefusal("GET", h({ host: "gw.example.net", "x-forwarded-host": "evil.example" }), remote)).toMatchObject({ status: 421 });
    expect(requestRefusal("GET", h({ host: "gw.example.net", "x-forwarded-host": "gw.example.net" }), remote)).toBeNull();
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("refuses a %s without Origin, or from another origin, with 403", (method) => {
    expect(requestRefusal(method, h({ host: "127.0.0.1:3000" }), loopback)).toMatchObject({
      status: 403,
      message: expect.stringMatching(/no Origin/),
    });
    expect(requestRefusal(method, h({ host: "127.0.0.1:3000", origin: "https://evil.example" }), loopback)).toMatchObject({
      status: 403,
      message: expect.stringMatching(/not from https:\/\/evil\.example/),
    });
    expect(requestRefusal(method, h({ host: "127.0.0.1:3000", origin: "null" }), loopback)).toMatchObject({ status: 403 });
    expect(requestRefusal(method, h({ host: "gw.example.net", origin: "http://gw.example.net" }), remote)).toMatchObject({ status: 403 });
    expect(
      requestRefusal(method, h({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", "sec-fetch-site": "cross-site" }), loopback),
    ).toMatchObject({ status: 403 });
  });

  it("refuses a body over 1 MiB with 413, an unsized one with 411 and a bad length with 400", () => {
    const post = (extra: Record<string, string>) =>
      requestRefusal("POST", h({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", ...extra }), loopback);
    expect(post({ "content-length": String(MAX_BODY_BYTES + 1) })).toMatchObject({ status: 413 });
    expect(post({ "content-length": "1e308" })).toMatchObject({ status: 400 });
    expect(post({ "transfer-encoding": "chunked" })).toMatchObject({ status: 411 });
    expect(post({})).toBeNull();
  });

  it("answers 503 with the reason when the public URL is not configured", () => {
    const web = publicWeb({ host: "0.0.0.0", port: "3000", secureCookies: "auto" });
    expect(requestRefusal("GET", h({ host: "127.0.0.1:3000" }), web)).toMatchObject({
      status: 503,
      message: expect.stringMatching(/GATEWARDEN_PUBLIC_URL/),
    });
  });
});

describe("requestRefusal for scripts with an API token", () => {
  const bearer = { host: "127.0.0.1:3000", authorization: "Bearer gw_x", "content-type": "application/json", "content-length": "20" };

  it("lets a change to /api/v1 with a bearer token and no Origin through", () => {
    expect(requestRefusal("POST", h(bearer), loopback, "/api/v1/sites")).toBeNull();
    expect(requestRefusal("POST", h({ ...bearer, origin: "http://127.0.0.1:3000" }), loopback, "/api/v1/tunnels/x/deploy")).toBeNull();
  });

  it("still refuses it without the token, elsewhere than /api/v1, from a foreign origin, cross-site, as a server action, or too big", () => {
    const { authorization: _none, ...noToken } = bearer;
    expect(requestRefusal("POST", h(noToken), loopback, "/api/v1/sites")).toMatchObject({ status: 403 });
    expect(requestRefusal("POST", h(bearer), loopback, "/sites/new")).toMatchObject({
      status: 403,
      message: expect.stringMatching(/no Origin/),
    });
    expect(requestRefusal("POST", h(bearer), loopback, "/api/health")).toMatchObject({ status: 403 });
    expect(requestRefusal("POST", h({ ...bearer, origin: "https://evil.example" }), loopback, "/api/v1/sites")).toMatchObject({
      status: 403,
    });
    expect(requestRefusal("POST", h({ ...bearer, "sec-fetch-site": "cross-site" }), loopback, "/api/v1/sites")).toMatchObject({
      status: 403,
    });
    expect(requestRefusal("POST", h({ ...bearer, "next-action": "abc" }), loopback, "/api/v1/sites")).toMatchObject({ status: 403 });
    expect(requestRefusal("POST", h({ ...bearer, "content-length": String(MAX_BODY_BYTES + 1) }), loopback, "/api/v1/sites")).toMatchObject(
      {
        status: 413,
      },
    );
    expect(requestRefusal("POST", h({ ...bearer, host: "evil.example" }), loopback, "/api/v1/sites")).toMatchObject({ status: 421 });
  });
});
