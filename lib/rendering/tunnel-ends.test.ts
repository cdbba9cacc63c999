import { describe, expect, it } from "vitest";
import { MODERN_PROFILE } from "@/lib/platforms/crypto-profiles";
import { connectionNameFor, initiatingRole, tunnelEndsFor, type TunnelRowForRender } from "./tunnel-ends";

const row = (kind: string): TunnelRowForRender => ({
  id: "3f2c9a1e-0000-4000-8000-000000000001",
  kind,
  cryptoProfile: { spec: JSON.stringify(MODERN_PROFILE) },
  ends: [
    {
      role: "b",
      interfaceName: "ipsec3",
      gateway: {
        id: "g2",
        name: "oslo-gw",
        platform: "centos-racoon",
        publicIp: "198.18.0.20",
        lanAddress: "192.168.2.254",
        site: { subnets: [{ cidr: "192.168.2.0/24" }] },
      },
    },
    {
      role: "a",
      interfaceName: "ipsec0",
      gateway: {
        id: "g1",
        name: "hq-gw",
        platform: "strongswan",
        ipsecStack: "libipsec",
        publicIp: "198.18.0.10",
        lanAddress: "192.168.1.254",
        site: { subnets: [{ cidr: "192.168.1.0/24" }] },
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
  it("names connections after the tunnel id", () => {
    expect(connectionNameFor("ABC-1")).toBe("gw-abc-1");
  });
  it("refuses a stored profile with an unknown algorithm", () => {
    const bad = {
      ...row("net-to-net"),
      cryptoProfile: { spec: JSON.stringify({ ...MODERN_PROFILE, ike: { ...MODERN_PROFILE.ike, encryption: "rot13" } }) },
    };
    expect(() => tunnelEndsFor(bad, "k")).toThrow();
  });
});
