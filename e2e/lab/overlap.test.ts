import { describe, expect, it } from "vitest";
import { findConflicts, parseIpAddrJson, parseIpRouteJson, parseResolvConf, type HostNetwork } from "./overlap";
import { knownHostsLine, sshFingerprint } from "./router-files";

// The machine described in the router-lab note.
const host: HostNetwork = {
  addresses: ["127.0.0.1/8", "192.0.2.2/24"],
  routes: [{ dst: "default" }, { dst: "192.0.2.0/24", dev: "eth0" }, { dst: "203.0.113.0/24", dev: "eth0" }],
  nameservers: ["10.255.255.53"],
};

describe("findConflicts", () => {
  it("accepts a lab in 198.18.0.0/15 and 192.168.0.0/16 on this machine", () => {
    expect(findConflicts(["198.18.7.0/24", "192.168.1.0/24"], host)).toEqual([]);
  });
  it("refuses ranges that hit an address, a route or a name server", () => {
    expect(findConflicts(["192.0.2.0/25"], host).map((c) => c.kind)).toEqual(["address", "route"]);
    expect(findConflicts(["203.0.113.0/24"], host)).toEqual([
      { labCidr: "203.0.113.0/24", kind: "route", hostValue: "203.0.113.0/24 dev eth0" },
    ]);
    expect(findConflicts(["10.255.255.0/24"], host)).toEqual([
      { labCidr: "10.255.255.0/24", kind: "nameserver", hostValue: "10.255.255.53" },
    ]);
  });
  it("ignores the default route but sees another lab's /32 routes", () => {
    const withLab = { ...host, routes: [...host.routes, { dst: "198.18.7.11", dev: "gwl1234" }] };
    expect(findConflicts(["198.18.8.0/24"], withLab)).toEqual([]);
    expect(findConflicts(["198.18.7.0/24"], withLab)).toHaveLength(1);
  });
});

describe("parsers of the machine's network", () => {
  it("reads ip -j output and resolv.conf", () => {
    const addr = JSON.stringify([
      {
        ifname: "eth0",
        addr_info: [
          { family: "inet", local: "192.0.2.2", prefixlen: 24 },
          { family: "inet6", local: "fd00::2", prefixlen: 64 },
        ],
      },
    ]);
    expect(parseIpAddrJson(addr)).toEqual(["192.0.2.2/24"]);
    const routes = JSON.stringify([
      { dst: "default", gateway: "192.0.2.1", dev: "eth0" },
      { type: "local", dst: "127.0.0.1", dev: "lo", table: "local" },
    ]);
    expect(parseIpRouteJson(routes)).toEqual([
      { dst: "default", dev: "eth0" },
      { dst: "127.0.0.1", dev: "lo", table: "local" },
    ]);
    expect(parseResolvConf("# x\nnameserver 10.255.255.53\nnameserver fd00::53\nsearch lan\n")).toEqual(["10.255.255.53"]);
  });
});

describe("host keys", () => {
  // Recorded with: ssh-keygen -lf key.pub
  const pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPADe66zKt6aSp7a9t6UXhUx9sWd/zAh1fV0GRy0Mto/ gatewarden-lab-gwdev";
  it("computes the SHA256 fingerprint like ssh-keygen -lf", () => {
    expect(sshFingerprint(pub)).toBe("SHA256:31ZvYlaS0VvQdM4WnfqD6g+TqJCQedgkwaypOMgj/qs");
  });
  it("writes known_hosts lines", () => {
    expect(knownHostsLine("198.18.7.11", 22, pub)).toBe(
      "198.18.7.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPADe66zKt6aSp7a9t6UXhUx9sWd/zAh1fV0GRy0Mto/",
    );
    expect(knownHostsLine("198.18.7.11", 2222, pub).startsWith("[198.18.7.11]:2222 ")).toBe(true);
  });
});
