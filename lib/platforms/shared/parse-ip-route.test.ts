import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findRouteTo, interestingRoutes, parseIpRouteList } from "./parse-ip-route";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");

describe("parseIpRouteList on a libipsec router (recorded: ip route list table all)", () => {
  const routes = parseIpRouteList(fixture("ip-route-table-all.txt"));

  it("reads table 220 routes installed by kernel-libipsec", () => {
    expect(routes[0]).toEqual({
      type: "unicast",
      destination: "192.168.2.0/24",
      family: "inet",
      via: null,
      dev: "ipsec0",
      src: "192.168.1.254",
      table: "220",
      proto: "static",
      scope: null,
      metric: null,
    });
    expect(routes[1]).toMatchObject({ destination: "198.18.100.2", table: "220", dev: "ipsec0" });
  });

  it("reads default and ifup-style via routes as main-table routes", () => {
    expect(routes.find((r) => r.destination === "default")).toMatchObject({ via: "198.18.100.2", dev: "gwreca0", table: "main" });
    expect(routes.find((r) => r.destination === "192.168.2.0/24" && r.table === "main")).toMatchObject({
      via: "192.168.1.254",
      dev: "lan0",
      src: "192.168.1.254",
    });
  });

  it("types local/broadcast lines of table local and keeps IPv6 lines apart", () => {
    expect(routes.find((r) => r.type === "broadcast" && r.destination === "127.255.255.255")).toMatchObject({
      table: "local",
      scope: "link",
    });
    expect(routes.filter((r) => r.type === "local" && r.family === "inet")).toHaveLength(4);
    const v6 = routes.filter((r) => r.family === "inet6");
    expect(v6.length).toBeGreaterThan(5);
    expect(v6.find((r) => r.type === "multicast")).toMatchObject({ destination: "ff00::/8", table: "local", metric: 256 });
  });

  it("parses every non-blank line", () => {
    const lines = fixture("ip-route-table-all.txt")
      .split("\n")
      .filter((l) => l.trim());
    expect(routes).toHaveLength(lines.length);
  });
});

describe("parseIpRouteList on CentOS-shaped output (hand-made: blank lines, metrics, unreachable, IPv6 default)", () => {
  const routes = parseIpRouteList(fixture("ip-route-centos-handmade.txt"));

  it("skips blank lines and reads metrics", () => {
    expect(routes).toHaveLength(8);
    expect(routes[0]).toMatchObject({ destination: "default", via: "198.18.0.1", proto: "static", metric: 100 });
  });

  it("recognises route types without a device", () => {
    expect(routes.find((r) => r.type === "unreachable")).toMatchObject({ destination: "10.99.0.0/16", dev: null });
  });

  it("reads an IPv6 default with expires/hoplimit fields", () => {
    expect(routes.at(-1)).toMatchObject({ destination: "default", family: "inet6", via: "fe80::1", metric: 1024 });
  });
});

describe("findRouteTo", () => {
  const routes = parseIpRouteList(fixture("ip-route-table-all.txt"));

  it("finds a subnet route in any table, first match wins", () => {
    expect(findRouteTo(routes, "192.168.2.0/24")).toMatchObject({ table: "220", dev: "ipsec0" });
  });

  it("matches a /32 against a host route printed without prefix", () => {
    expect(findRouteTo(routes, "198.18.100.2/32")).toMatchObject({ dev: "ipsec0" });
  });

  it("ignores local/broadcast entries and does not fall back to the default route", () => {
    expect(findRouteTo(routes, "192.168.1.254/32")).toBeUndefined();
    expect(findRouteTo(routes, "192.168.9.0/24")).toBeUndefined();
    expect(findRouteTo(routes, "0.0.0.0/0")).toMatchObject({ destination: "default" });
  });

  it("returns nothing on empty output", () => {
    expect(findRouteTo(parseIpRouteList(""), "192.168.2.0/24")).toBeUndefined();
  });
});

describe("interestingRoutes", () => {
  it("drops the kernel's local and broadcast entries", () => {
    const text =
      "default via 198.18.0.254 dev wan0\nlocal 192.168.1.254 dev lan0 table local proto kernel\n192.168.2.0/24 dev ipsec0 table 220 proto static src 192.168.1.254\nbroadcast 192.168.1.255 dev lan0 table local";
    expect(interestingRoutes(text)).toBe(
      "default via 198.18.0.254 dev wan0\n192.168.2.0/24 dev ipsec0 table 220 proto static src 192.168.1.254",
    );
  });
});
