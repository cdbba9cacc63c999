import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import {
  addressInNetwork,
  cidrContains,
  cidrSchema,
  cidrsOverlap,
  enclosingNetwork,
  formatIpv4,
  isCidr,
  isIpv4,
  ipv4Schema,
  isUnicastHostAddress,
  lanHostAddressProblem,
  lanSubnetProblem,
  lanSubnetSchema,
  networkContains,
  networksOverlap,
  parseCidr,
  parseIpv4,
  publicEndpointIpSchema,
  sshTargetAddressProblem,
} from "./ip";
import { DomainError } from "./errors";

const firstMessage = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues[0]?.message;

describe("ipv4Schema", () => {
  it.each(["0.0.0.0", "198.18.0.10", "255.255.255.255", "10.0.0.1", "1.2.3.4", "100.64.0.0"])("accepts %s", (s) =>
    expect(ipv4Schema.safeParse(s).success).toBe(true),
  );
  it.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.0.0.1",
    "010.0.0.1",
    "1.2.3.04",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.4\n",
    "1.2.3.-4",
    "1.2.3.4/32",
    "0x7f.0.0.1",
    "1..2.3",
    "１.2.3.4",
    "a.b.c.d",
    "1.2.3.4;reboot",
    "+1.2.3.4",
  ])("rejects %j with the example message", (s) => {
    expect(firstMessage(ipv4Schema.safeParse(s))).toBe("Enter an IPv4 address like 198.18.0.10");
  });
  it("rejects non-strings", () => expect(ipv4Schema.safeParse(123).success).toBe(false));
  // ipaddr.js reads all of these as addresses; a router tool may read them differently.
  it.each(["010.1.1.1", "10.1", "10.1.1", "167772161", "0xa.1.1.1", "0xa010101", "1.2.3.04", "::ffff:10.1.1.1"])(
    "refuses %j although ipaddr.js alone would parse it",
    (s) => {
      expect(ipaddr.isValid(s)).toBe(true);
      expect(isIpv4(s)).toBe(false);
      expect(() => parseIpv4(s)).toThrow(DomainError);
      expect(isCidr(`${s}/32`)).toBe(false);
      expect(() => cidrContains("0.0.0.0/0", s)).toThrow(DomainError);
    },
  );
});

describe("parseIpv4 / formatIpv4", () => {
  it("converts to unsigned numbers", () => {
    expect(parseIpv4("255.255.255.255")).toBe(0xffffffff);
    expect(parseIpv4("192.168.1.1")).toBe(0xc0a80101);
    expect(formatIpv4(0)).toBe("0.0.0.0");
  });
  it("throws DomainError on bad input", () => {
    expect(() => parseIpv4("1.2.3")).toThrow(DomainError);
    expect(() => formatIpv4(-1)).toThrow(DomainError);
    expect(() => formatIpv4(2 ** 32)).toThrow(DomainError);
    expect(() => formatIpv4(1.5)).toThrow(DomainError);
  });
  it("round-trips every address", () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => formatIpv4(parseIpv4(ip)) === ip));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => parseIpv4(formatIpv4(n)) === n));
  });
});

describe("cidrSchema / parseCidr", () => {
  it.each(["192.168.1.0/24", "0.0.0.0/0", "10.0.0.0/8", "198.18.0.10/32", "172.16.0.0/12"])("accepts %s", (s) => {
    expect(cidrSchema.safeParse(s).success).toBe(true);
    expect(parseCidr(s).text).toBe(s);
  });
  it("suggests the network when host bits are set", () => {
    expect(firstMessage(cidrSchema.safeParse("192.168.1.1/24"))).toBe("192.168.1.1/24 has host bits set — did you mean 192.168.1.0/24?");
    expect(firstMessage(cidrSchema.safeParse("10.1.2.3/0"))).toContain("did you mean 0.0.0.0/0?");
  });
  it.each(["192.168.1.0/33", "192.168.1.0/024", "192.168.1.0/-1", "192.168.1.0/", "192.168.1.0/24 "])("rejects prefix of %s", (s) => {
    expect(firstMessage(cidrSchema.safeParse(s))).toMatch(/prefix length/);
  });
  it.each(["", "192.168.1.0", " 192.168.1.0/24", "192.168.001.0/24", "192.168.1.0/24/1", "a/24", "/24", "10.0.0.0\\8"])(
    "rejects malformed %j",
    (s) => expect(firstMessage(cidrSchema.safeParse(s))).toBe("Enter a subnet in CIDR form like 192.168.1.0/24"),
  );
  it("parses network and prefix", () => {
    expect(parseCidr("10.1.0.0/16")).toEqual({ family: "ipv4", network: "10.1.0.0", prefix: 16, text: "10.1.0.0/16" });
    expect(parseIpv4(parseCidr("10.1.0.0/16").network)).toBe(0x0a010000);
    expect(() => parseCidr("10.1.0.1/16")).toThrow(/did you mean 10.1.0.0\/16/);
  });
  it("round-trips every valid network", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (n, p) => {
        const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
        const text = `${formatIpv4((n & mask) >>> 0)}/${p}`;
        return parseCidr(text).text === text && cidrSchema.safeParse(text).success;
      }),
    );
  });
});

describe("cidrsOverlap / cidrContains", () => {
  it.each([
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["10.1.0.0/16", "10.0.0.0/8", true],
    ["10.0.0.0/24", "10.0.1.0/24", false],
    ["0.0.0.0/0", "192.168.1.0/24", true],
    ["192.168.1.0/25", "192.168.1.128/25", false],
    ["192.168.1.5/32", "192.168.1.0/24", true],
    ["192.168.1.0/24", "192.168.1.0/24", true],
  ] as const)("%s vs %s → %s", (a, b, want) => expect(cidrsOverlap(a, b)).toBe(want));

  it("contains", () => {
    expect(cidrContains("192.168.1.0/24", "192.168.1.255")).toBe(true);
    expect(cidrContains("192.168.1.0/24", "192.168.2.0")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "255.255.255.255")).toBe(true);
  });

  it("throws on a malformed value instead of answering no", () => {
    expect(() => cidrContains("192.168.1.1/24", "192.168.1.1")).toThrow(DomainError);
    expect(() => cidrContains("192.168.1.0/24", "192.168.1.1 ")).toThrow(DomainError);
    expect(() => cidrsOverlap("192.168.1.0/24", "192.168.1.1")).toThrow(DomainError);
  });

  it("containment matches 32-bit arithmetic", () => {
    const net = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([n, p]) => ({ start: n - (n % 2 ** (32 - p)), size: 2 ** (32 - p), prefix: p }));
    fc.assert(
      fc.property(net, fc.integer({ min: 0, max: 0xffffffff }), (c, ip) => {
        const inside = ip >= c.start && ip < c.start + c.size;
        return cidrContains(`${formatIpv4(c.start)}/${c.prefix}`, formatIpv4(ip)) === inside;
      }),
    );
  });

  it("network containment: inner must be as long a prefix and inside", () => {
    const c = parseCidr;
    expect(networkContains(c("198.18.0.0/15"), c("198.19.4.0/24"))).toBe(true);
    expect(networkContains(c("198.19.4.0/24"), c("198.18.0.0/15"))).toBe(false);
    expect(networkContains(c("198.18.0.0/15"), c("198.18.0.0/15"))).toBe(true);
    expect(networkContains(c("198.18.0.0/15"), c("198.20.0.0/24"))).toBe(false);
    expect(networkContains(c("0.0.0.0/0"), c("255.255.255.255/32"))).toBe(true);
    expect(networksOverlap(c("198.18.4.0/24"), c("198.18.5.0/24"))).toBe(false);
  });

  it("overlap is symmetric and matches address-level containment", () => {
    const net = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([n, p]) => `${formatIpv4((n & (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0)) >>> 0)}/${p}`);
    fc.assert(
      fc.property(net, net, (a, b) => {
        const o = cidrsOverlap(a, b);
        const eitherContainsOther = cidrContains(a, b.split("/")[0]!) || cidrContains(b, a.split("/")[0]!);
        return o === cidrsOverlap(b, a) && o === eitherContainsOther;
      }),
    );
  });
});

describe("publicEndpointIpSchema / isUnicastHostAddress", () => {
  it.each(["198.18.0.10", "203.0.113.7", "10.0.0.1", "1.1.1.1", "223.255.255.254"])("accepts %s", (s) => {
    expect(publicEndpointIpSchema.safeParse(s).success).toBe(true);
    expect(isUnicastHostAddress(s)).toBe(true);
  });
  it.each([
    ["0.0.0.0", /this network/],
    ["0.1.2.3", /this network/],
    ["127.0.0.1", /loopback/],
    ["224.0.0.5", /multicast/],
    ["239.255.255.250", /multicast/],
    ["240.0.0.1", /reserved/],
    ["255.255.255.255", /broadcast/],
    ["1.2.3", /Enter an IPv4 address/],
  ])("rejects %s", (s, msg) => {
    expect(firstMessage(publicEndpointIpSchema.safeParse(s))).toMatch(msg);
    expect(isUnicastHostAddress(s)).toBe(false);
  });
});

describe("enclosingNetwork (addresses as the machine prints them)", () => {
  it("masks host bits and reads a bare address as /32", () => {
    expect(enclosingNetwork("192.168.1.77/24")).toEqual({ family: "ipv4", network: "192.168.1.0", prefix: 24, text: "192.168.1.0/24" });
    expect(enclosingNetwork("192.168.1.77/24")).toEqual(enclosingNetwork("192.168.1.0/24"));
    expect(enclosingNetwork("10.255.255.53")).toEqual({ family: "ipv4", network: "10.255.255.53", prefix: 32, text: "10.255.255.53/32" });
    expect(enclosingNetwork("10.1.2.3/0")?.text).toBe("0.0.0.0/0");
  });
  it.each(["256.1.1.1/24", "1.2.3.4/33", "1.2.3.4/", "10.0.0.0/024", " 10.0.0.1", "010.0.0.1", "fd00::53", "fd00::/8", "default", ""])(
    "gives null for %j",
    (s) => expect(enclosingNetwork(s)).toBeNull(),
  );
  it("finds overlaps in both directions, with addresses", () => {
    const n = (s: string) => enclosingNetwork(s)!;
    expect(networksOverlap(n("198.18.0.0/15"), n("198.19.4.0/24"))).toBe(true);
    expect(networksOverlap(n("198.19.4.0/24"), n("198.18.0.0/15"))).toBe(true);
    expect(networksOverlap(n("10.255.255.53"), n("10.0.0.0/8"))).toBe(true);
    expect(networksOverlap(n("192.0.2.2/24"), n("192.0.2.128/25"))).toBe(true);
  });
  it("agrees with ipaddr.js on the network of every strict address/prefix", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, p) => {
        return enclosingNetwork(`${ip}/${p}`)!.network === ipaddr.IPv4.networkAddressFromCIDR(`${ip}/${p}`).toString();
      }),
    );
  });
});

describe("addressInNetwork", () => {
  it("counts from the network address", () => {
    expect(addressInNetwork(parseCidr("198.18.7.0/24"), 0)).toBe("198.18.7.0");
    expect(addressInNetwork(parseCidr("198.18.7.0/24"), 254)).toBe("198.18.7.254");
    expect(addressInNetwork(parseCidr("10.0.0.0/8"), 256)).toBe("10.0.1.0");
    expect(addressInNetwork(parseCidr("255.255.255.255/32"), 0)).toBe("255.255.255.255");
  });
  it("refuses addresses outside the block", () => {
    expect(() => addressInNetwork(parseCidr("198.18.7.0/24"), 256)).toThrow(DomainError);
    expect(() => addressInNetwork(parseCidr("198.18.7.0/24"), -1)).toThrow(DomainError);
    expect(() => addressInNetwork(parseCidr("198.18.7.0/24"), 1.5)).toThrow(DomainError);
  });
});

describe("link-local endpoints", () => {
  it.each(["169.254.0.1", "169.254.169.254", "169.254.255.254"])("refuses %s as a tunnel endpoint", (s) => {
    expect(firstMessage(publicEndpointIpSchema.safeParse(s))).toMatch(/link-local/);
    expect(isUnicastHostAddress(s)).toBe(false);
  });
});

describe("lanSubnetProblem / lanSubnetSchema", () => {
  it.each(["192.168.1.0/24", "10.0.0.0/8", "172.16.0.0/12", "198.18.5.0/24", "100.64.0.0/10", "1.0.0.0/8", "223.255.255.0/24"])(
    "accepts %s",
    (s) => {
      expect(lanSubnetProblem(s)).toBeNull();
      expect(lanSubnetSchema.safeParse(s).success).toBe(true);
    },
  );
  it.each([
    ["127.0.0.0/8", /loopback/],
    ["127.1.2.0/24", /loopback/],
    ["224.0.0.0/24", /multicast/],
    ["239.1.0.0/16", /multicast/],
    ["169.254.0.0/16", /link-local/],
    ["169.254.10.0/24", /link-local/],
    ["0.0.0.0/8", /this network/],
    ["0.0.0.0/0", /this network/],
    ["0.1.2.0/24", /this network/],
    ["240.0.0.0/4", /reserved/],
    ["255.255.255.255/32", /reserved/],
    ["128.0.0.0/1", /includes 169\.254\.0\.0\/16/],
    ["10.0.0.1/24", /host bits/],
  ])("refuses %s", (s, message) => {
    expect(lanSubnetProblem(s)).toMatch(message);
    expect(firstMessage(lanSubnetSchema.safeParse(s))).toMatch(message);
  });
});

describe("lanHostAddressProblem", () => {
  it("refuses the network and broadcast addresses of a subnet", () => {
    expect(lanHostAddressProblem("192.168.1.0", "192.168.1.0/24")).toMatch(/network address of 192\.168\.1\.0\/24/);
    expect(lanHostAddressProblem("192.168.1.255", "192.168.1.0/24")).toMatch(/broadcast address of 192\.168\.1\.0\/24/);
    expect(lanHostAddressProblem("10.0.0.4", "10.0.0.4/30")).toMatch(/network address/);
    expect(lanHostAddressProblem("10.0.0.7", "10.0.0.4/30")).toMatch(/broadcast address/);
  });
  it("accepts every other address, and both addresses of a /31 or the one of a /32 (RFC 3021)", () => {
    expect(lanHostAddressProblem("192.168.1.1", "192.168.1.0/24")).toBeNull();
    expect(lanHostAddressProblem("192.168.1.254", "192.168.1.0/24")).toBeNull();
    expect(lanHostAddressProblem("10.0.0.4", "10.0.0.4/31")).toBeNull();
    expect(lanHostAddressProblem("10.0.0.5", "10.0.0.4/31")).toBeNull();
    expect(lanHostAddressProblem("10.0.0.4", "10.0.0.4/32")).toBeNull();
  });
  it("agrees with ipaddr.js on every /0–/30", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 30 }), (ip, p) => {
        const net = ipaddr.IPv4.networkAddressFromCIDR(`${ip}/${p}`).toString();
        const bcast = ipaddr.IPv4.broadcastAddressFromCIDR(`${ip}/${p}`).toString();
        return (lanHostAddressProblem(ip, `${net}/${p}`) !== null) === (ip === net || ip === bcast);
      }),
    );
  });
});

describe("sshTargetAddressProblem", () => {
  const policy = { allow: [], own: ["192.0.2.2", "198.18.5.1", "fd00::2"] };
  it.each(["198.18.5.10", "198.18.250.11", "10.0.0.1", "203.0.113.7", "2001:db8::10", "::ffff:198.18.5.10"])("accepts %s", (a) => {
    expect(sshTargetAddressProblem(a, policy)).toBeNull();
  });
  it.each([
    ["127.0.0.1", /loopback/],
    ["127.8.9.10", /loopback/],
    ["::1", /loopback/],
    ["::ffff:127.0.0.1", /loopback/],
    ["0.0.0.0", /this server/],
    ["0.1.2.3", /this server/],
    ["::", /this server/],
    ["169.254.169.254", /link-local/],
    ["fe80::1", /link-local/],
    ["192.0.2.2", /an address of this server/],
    ["198.18.5.1", /an address of this server/],
    ["fd00::2", /an address of this server/],
    ["::ffff:192.0.2.2", /an address of this server/],
  ])("refuses %s", (a, message) => {
    expect(sshTargetAddressProblem(a, policy)).toMatch(message);
    expect(sshTargetAddressProblem(a, policy)).toMatch(/GATEWARDEN_ALLOW_SSH_TARGETS/);
  });
  it("lets an admin allow IPv4 ranges in configuration", () => {
    const allowing = { ...policy, allow: [parseCidr("127.0.0.1/32"), parseCidr("192.0.2.0/24")] };
    expect(sshTargetAddressProblem("127.0.0.1", allowing)).toBeNull();
    expect(sshTargetAddressProblem("::ffff:127.0.0.1", allowing)).toBeNull();
    expect(sshTargetAddressProblem("192.0.2.2", allowing)).toBeNull();
    expect(sshTargetAddressProblem("127.0.0.2", allowing)).toMatch(/loopback/);
    expect(sshTargetAddressProblem("::1", allowing)).toMatch(/loopback/);
  });
  it("refuses what is not an address", () => {
    expect(sshTargetAddressProblem("gw1.example.net", policy)).toMatch(/not an IP address/);
  });
});
