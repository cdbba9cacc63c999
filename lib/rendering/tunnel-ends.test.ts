import { describe, expect, it } from "vitest";
import { MODERN_PROFILE } from "@/lib/platforms/crypto-profiles";
import { initiatingRole, tunnelEndsFor, type TunnelRowForRender } from "./tunnel-ends";

const row = (kind: string): TunnelRowForRender => ({
  id: "3f2c9a1e-0000-4000-8000-000000000001",
  kind,
  connectionName: null,
  cryptoProfile: { spec: JSON.stringify(MODERN_PROFILE) },
  ends: [
    {
      role: "b",
      interfaceName: "ipsec3",
      connectionName: null,
      gateway: {
        id: "g2",
        name: "oslo-gw",
        platform: "centos-racoon",
        publicIp: "198.18.0.20",
        lanAddress: "192.168.2.254",
        site: { name: "Oslo", subnets: [{ cidr: "192.168.2.0/24" }] },
      },
    },
    {
      role: "a",
      interfaceName: "ipsec0",
      connectionName: null,
      gateway: {
        id: "g1",
        name: "hq-gw",
        platform: "strongswan",
        ipsecStack: "libipsec",
        publicIp: "198.18.0.10",
        lanAddress: "192.168.1.254",
        site: { name: "HQ", subnets: [{ cidr: "192.168.1.0/24" }] },
      },
    },
  ],
});

describe("which end starts the tunnel", () => {
  const withCounts = (a: number, b: number): TunnelRowForRender => {
    const r = row("net-to-net");
    return { ...r, ends: r.ends.map((e) => ({ ...e, gateway: { ...e.gateway, _count: { tunnelEnds: e.role === "a" ? a : b } } })) };
  };

  it("the end on the gateway with fewer tunnels initiates; the hub only answers; b on a tie", () => {
    expect(initiatingRole(withCounts(5, 1))).toBe("b");
    expect(initiatingRole(withCounts(1, 5))).toBe("a");
    expect(initiatingRole(withCounts(1, 1))).toBe("b");
    const [a, b] = tunnelEndsFor(withCounts(5, 1), "k");
    expect([a.role, a.end.initiates, b.role, b.end.initiates]).toEqual(["a", false, "b", true]);
  });
});

describe("tunnelEndsFor", () => {
  it("gives each end its own view: self local, peer remote", () => {
    const [a, b] = tunnelEndsFor(row("net-to-net"), "k");
    expect(a.gatewayName).toBe("hq-gw");
    expect(a.end.local).toEqual({
      publicIp: "198.18.0.10",
      ipsecStack: "libipsec",
      lanAddress: "192.168.1.254",
      subnets: ["192.168.1.0/24"],
    });
    expect(a.end.remote.publicIp).toBe("198.18.0.20");
    expect(b.end.local.publicIp).toBe("198.18.0.20");
    expect(b.end.interfaceName).toBe("ipsec3");
    expect(b.platform).toBe("centos-racoon");
    expect(b.end.local.ipsecStack).toBe("kernel");
    expect(a.end.connectionName).toBe(b.end.connectionName);
  });
  it("drops subnets and LAN addresses for host-to-host tunnels", () => {
    const [a] = tunnelEndsFor(row("host-to-host"), "k");
    expect(a.end.local).toEqual({ publicIp: "198.18.0.10", ipsecStack: "libipsec", lanAddress: null, subnets: [] });
  });
  it("names a tunnel without a stored name after its sites, end a first", () => {
    const [a, b] = tunnelEndsFor(row("net-to-net"), "k");
    expect(a.end.connectionName).toMatch(/^gw-hq--oslo-[0-9a-f]{8}$/);
    expect(b.end.connectionName).toBe(a.end.connectionName);
    expect(a.previous).toBeNull();
  });
  it("uses the stored name, not the sites' current names (a site rename changes nothing)", () => {
    const stored = { ...row("net-to-net"), connectionName: "gw-hq--bergen-0a1b2c3d" };
    const [a] = tunnelEndsFor(stored, "k", "desired");
    expect(a.end.connectionName).toBe("gw-hq--bergen-0a1b2c3d");
  });
  it("router names: each end as its router holds it; desired names: the readable one, with the router's as previous", () => {
    const legacy = "gw-3f2c9a1e-0000-4000-8000-000000000001";
    const r = { ...row("net-to-net"), connectionName: "gw-hq--oslo-0a1b2c3d" };
    r.ends = r.ends.map((e) => ({ ...e, connectionName: legacy }));
    const [onRouter] = tunnelEndsFor(r, "k");
    expect(onRouter.end.connectionName).toBe(legacy);
    expect(onRouter.previous).toBeNull();
    const [a, b] = tunnelEndsFor(r, "k", "desired");
    expect(a.end.connectionName).toBe("gw-hq--oslo-0a1b2c3d");
    expect(a.previous?.connectionName).toBe(legacy);
    expect(a.previous?.psk).toBe("k");
    expect(b.previous?.interfaceName).toBe("ipsec3");
  });
  it("has no previous end where the router already holds the readable name", () => {
    const r = { ...row("net-to-net"), connectionName: "gw-hq--oslo-0a1b2c3d" };
    r.ends = r.ends.map((e) => ({ ...e, connectionName: "gw-hq--oslo-0a1b2c3d" }));
    expect(tunnelEndsFor(r, "k", "desired").map((e) => e.previous)).toEqual([null, null]);
  });
  it("refuses a stored profile with an unknown algorithm", () => {
    const bad = {
      ...row("net-to-net"),
      cryptoProfile: { spec: JSON.stringify({ ...MODERN_PROFILE, ike: { ...MODERN_PROFILE.ike, encryption: "rot13" } }) },
    };
    expect(() => tunnelEndsFor(bad, "k")).toThrow();
  });
});
