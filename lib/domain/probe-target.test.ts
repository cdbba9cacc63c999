import { describe, expect, it } from "vitest";
import { parseProbeTarget } from "./probe-target";

const site = { subnets: ["192.168.2.0/24", "10.20.0.0/16"], lanAddress: "192.168.2.254" };

describe("parseProbeTarget", () => {
  it("empty or blank means none", () => {
    expect(parseProbeTarget("", site)).toEqual({ ok: true, value: null });
    expect(parseProbeTarget("   ", site)).toEqual({ ok: true, value: null });
    expect(parseProbeTarget(undefined, site)).toEqual({ ok: true, value: null });
  });

  it("accepts a host inside any of the site's subnets", () => {
    expect(parseProbeTarget("192.168.2.10", site)).toEqual({ ok: true, value: "192.168.2.10" });
    expect(parseProbeTarget("10.20.3.4", site)).toEqual({ ok: true, value: "10.20.3.4" });
  });

  it.each([
    [" 192.168.2.10", /Enter an IPv4 address/],
    ["192.168.002.10", /Enter an IPv4 address/],
    ["192.168.2.10; reboot", /Enter an IPv4 address/],
    ["192.168.2", /Enter an IPv4 address/],
    ["192.168.3.10", /not inside this site's LAN subnets \(192\.168\.2\.0\/24, 10\.20\.0\.0\/16\)/],
    ["192.168.2.0", /network address of 192\.168\.2\.0\/24; choose a host/],
    ["192.168.2.255", /broadcast address/],
    ["192.168.2.254", /the gateway's own LAN address/],
    ["127.0.0.1", /cannot be a host on a LAN/],
  ])("refuses %j with a clear message", (raw, message) => {
    const r = parseProbeTarget(raw, site);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
