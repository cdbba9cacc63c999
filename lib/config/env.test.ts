import { describe, expect, it } from "vitest";
import { parseEnv as parse } from "./env";

const parseEnv = (vars: Record<string, string | undefined>) => parse({ NODE_ENV: "test", ...vars });

describe("parseEnv", () => {
  it("serves no /metrics unless GATEWARDEN_METRICS=1, and refuses other values", () => {
    expect(parseEnv({}).metricsEnabled).toBe(false);
    expect(parseEnv({ GATEWARDEN_METRICS: "1" }).metricsEnabled).toBe(true);
    expect(parseEnv({ GATEWARDEN_METRICS: "0" }).metricsEnabled).toBe(false);
    expect(() => parseEnv({ GATEWARDEN_METRICS: "yes" })).toThrow(/GATEWARDEN_METRICS: 0 \(off, the default\) or 1/);
  });

  it("trusts no proxy by default", () => {
    expect(parseEnv({}).trustedProxies).toEqual([]);
  });

  it("reads GATEWARDEN_TRUSTED_PROXIES", () => {
    const env = parseEnv({ GATEWARDEN_TRUSTED_PROXIES: "10.0.0.0/8, ::1" });
    expect(env.trustedProxies.map(([a, p]) => `${a.toString()}/${p}`)).toEqual(["10.0.0.0/8", "::1/128"]);
  });

  it("fails at start-up, naming the variable, on a bad entry", () => {
    expect(() => parseEnv({ GATEWARDEN_TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" })).toThrow(
      /GATEWARDEN_TRUSTED_PROXIES: "proxy\.internal" is not an IP address or CIDR range/,
    );
  });

  it("drains running jobs for 60 s on a graceful stop unless told otherwise (0: not at all)", () => {
    expect(parseEnv({}).drainSeconds).toBe(60);
    expect(parseEnv({ GATEWARDEN_DRAIN_SECONDS: "0" }).drainSeconds).toBe(0);
    expect(parseEnv({ GATEWARDEN_DRAIN_SECONDS: "300" }).drainSeconds).toBe(300);
    for (const bad of ["-1", "1.5", "soon", "3601"])
      expect(() => parseEnv({ GATEWARDEN_DRAIN_SECONDS: bad })).toThrow(/GATEWARDEN_DRAIN_SECONDS/);
  });

  it("works on 32 routers at once unless told otherwise (1 to 256, as Ansible's forks)", () => {
    expect(parseEnv({}).parallelGateways).toBe(32);
    expect(parseEnv({ GATEWARDEN_PARALLEL_GATEWAYS: "5" }).parallelGateways).toBe(5);
    expect(parseEnv({ GATEWARDEN_PARALLEL_GATEWAYS: "1" }).parallelGateways).toBe(1);
    for (const bad of ["0", "-3", "2.5", "many", "257"])
      expect(() => parseEnv({ GATEWARDEN_PARALLEL_GATEWAYS: bad })).toThrow(/GATEWARDEN_PARALLEL_GATEWAYS/);
  });

  it("ends idle sessions after 30 minutes unless told otherwise", () => {
    expect(parseEnv({}).sessionIdleMinutes).toBe(30);
    expect(parseEnv({ GATEWARDEN_SESSION_IDLE_MINUTES: "5" }).sessionIdleMinutes).toBe(5);
    expect(() => parseEnv({ GATEWARDEN_SESSION_IDLE_MINUTES: "0" })).toThrow(/GATEWARDEN_SESSION_IDLE_MINUTES/);
  });
});

describe("GATEWARDEN_ALLOW_SSH_TARGETS", () => {
  it("is empty by default: no loopback, link-local or own address is an SSH target", () => {
    expect(parseEnv({}).sshTargetAllowance).toEqual([]);
  });
  it("reads a list of IPv4 networks, separated by commas or spaces", () => {
    expect(
      parseEnv({ GATEWARDEN_ALLOW_SSH_TARGETS: "127.0.0.1/32, 169.254.0.0/16 192.0.2.0/24" }).sshTargetAllowance.map((c) => c.text),
    ).toEqual(["127.0.0.1/32", "169.254.0.0/16", "192.0.2.0/24"]);
  });
  it.each(["127.0.0.1", "localhost", "127.0.0.1/33", "10.0.0.1/8"])("refuses %j with a clear message", (value) => {
    expect(() => parseEnv({ GATEWARDEN_ALLOW_SSH_TARGETS: value })).toThrow(/GATEWARDEN_ALLOW_SSH_TARGETS/);
  });
});

describe("the public URL", () => {
  it("is http://HOST:PORT on loopback by default, answering to loopback's aliases too, without Secure cookies", () => {
    const env = parseEnv({});
    expect(env.web).toEqual({
      ok: true,
      origin: "http://127.0.0.1:3000",
      hosts: ["127.0.0.1:3000", "localhost:3000", "[::1]:3000"],
      origins: ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"],
      https: false,
      loopback: true,
      secureCookies: false,
    });
    expect(env.secureCookies).toBe("false");
    expect(parseEnv({ HOST: "::1", PORT: "3500" }).web).toMatchObject({ ok: true, origin: "http://[::1]:3500" });
    expect(parseEnv({ HOST: "localhost", PORT: "3500" }).web).toMatchObject({
      ok: true,
      origin: "http://localhost:3500",
      hosts: ["localhost:3500", "127.0.0.1:3500", "[::1]:3500"],
    });
  });

  it("comes from GATEWARDEN_PUBLIC_URL, the one host accepted, with Secure cookies", () => {
    const env = parseEnv({ GATEWARDEN_PUBLIC_URL: "https://Gatewarden.Example.NET/", HOST: "0.0.0.0" });
    expect(env.web).toEqual({
      ok: true,
      origin: "https://gatewarden.example.net",
      // What a reverse proxy on this machine may send as Host, besides the public name.
      hosts: ["gatewarden.example.net", "127.0.0.1:3000", "localhost:3000", "[::1]:3000"],
      origins: ["https://gatewarden.example.net"],
      https: true,
      loopback: false,
      secureCookies: true,
    });
    expect(env.secureCookies).toBe("true");
    expect(parseEnv({ GATEWARDEN_PUBLIC_URL: "https://gw.example.net:8443", PORT: "3100" }).web).toMatchObject({
      hosts: ["gw.example.net:8443", "127.0.0.1:3100", "localhost:3100", "[::1]:3100"],
      origins: ["https://gw.example.net:8443"],
    });
  });

  it("cannot be guessed when the server listens beyond loopback", () => {
    const env = parseEnv({ HOST: "0.0.0.0", PORT: "3000" });
    expect(env.web).toEqual({ ok: false, problem: expect.stringMatching(/listens on 0\.0\.0\.0.*Set GATEWARDEN_PUBLIC_URL/) });
    expect(env.secureCookies).toBe("true");
  });

  it("refuses plain HTTP beyond loopback unless Secure cookies are turned off on purpose", () => {
    expect(parseEnv({ GATEWARDEN_PUBLIC_URL: "http://10.0.0.5:3000" }).web).toEqual({
      ok: false,
      problem: expect.stringMatching(/HTTPS.*GATEWARDEN_SECURE_COOKIES=false/),
    });
    expect(parseEnv({ GATEWARDEN_PUBLIC_URL: "http://10.0.0.5:3000", GATEWARDEN_SECURE_COOKIES: "false" }).web).toMatchObject({
      ok: true,
      secureCookies: false,
      origins: ["http://10.0.0.5:3000"],
    });
  });

  it.each([
    "gatewarden.example.net",
    "ftp://gw.example.net",
    "https://user:pw@gw.example.net",
    "https://gw.example.net/app",
    "https://gw.example.net/?x=1",
    "https://gw.example.net/#top",
  ])("refuses GATEWARDEN_PUBLIC_URL=%s with a clear message", (value) => {
    expect(() => parseEnv({ GATEWARDEN_PUBLIC_URL: value })).toThrow(/GATEWARDEN_PUBLIC_URL: must be/);
  });
});

describe("next.config.mjs's serverActions.allowedOrigins", () => {
  it.each([
    {},
    { HOST: "127.0.0.1", PORT: "3500" },
    { HOST: "localhost", PORT: "3000" },
    { HOST: "::1", PORT: "3000" },
    { GATEWARDEN_PUBLIC_URL: "https://gw.example.net", HOST: "0.0.0.0" },
    { GATEWARDEN_PUBLIC_URL: "https://GW.example.net:8443/" },
    { GATEWARDEN_PUBLIC_URL: "http://127.0.0.1:8080" },
  ])("are the hosts of the origins changes may come from, for %j", async (env) => {
    // @ts-expect-error plain ESM config without types
    const { serverActionOrigins } = (await import("../../next.config.mjs")) as { serverActionOrigins: (e: object) => string[] };
    const web = parseEnv(env).web;
    expect(web.ok).toBe(true);
    if (web.ok) expect(serverActionOrigins(env)).toEqual(web.origins.map((o) => new URL(o).host));
  });
});
