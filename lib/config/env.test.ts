import { describe, expect, it } from "vitest";
import { parseEnv as parse } from "./env";

const parseEnv = (vars: Record<string, string>) => parse({ NODE_ENV: "test", ...vars });

describe("parseEnv", () => {
  it("trusts no proxy by default", () => {
    expect(parseEnv({}).trustedProxies).toEqual([]);
  });

  it("reads GATEWARDEN_TRUSTED_PROXIES", () => {
    const env = parseEnv({ GATEWARDEN_TRUSTED_PROXIES: "10.0.0.0/8, ::1" });
    expect(env.trustedProxies.map(([a, p]) => `${a.toString()}/${p}`)).toEqual(["10.0.0.0/8", "::1/128"]);
  });

  it("fails at start-up, naming the variable, on a bad entry", () => {
    expect(() => parseEnv({ GATEWARDEN_TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" })).toThrow(/GATEWARDEN_TRUSTED_PROXIES: "proxy\.internal" is not an IP address or CIDR range/);
  });

  it("ends idle sessions after 30 minutes unless told otherwise", () => {
    expect(parseEnv({}).sessionIdleMinutes).toBe(30);
    expect(parseEnv({ GATEWARDEN_SESSION_IDLE_MINUTES: "5" }).sessionIdleMinutes).toBe(5);
    expect(() => parseEnv({ GATEWARDEN_SESSION_IDLE_MINUTES: "0" })).toThrow(/GATEWARDEN_SESSION_IDLE_MINUTES/);
  });
});
