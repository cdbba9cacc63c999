import { describe, expect, it } from "vitest";
import { readCase } from "../recorded-cases";
import { findRouteTo } from "./parse-ip-route";
import { formatIpRoute, parseIpRouteJson, readableRoutes } from "./parse-ip-route-json";

/** `ip -json route list table all` as a strongSwan lab router printed it with a tunnel up. */
const recorded = () => readCase("strongswan", "up").samples[0]![1].hq!.find((o) => o.argv.includes("-json"))!.stdout;

describe("parseIpRouteJson", () => {
  const routes = parseIpRouteJson(recorded());

  it("reads the table-220 route kernel-libipsec installs, like the text parser does", () => {
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
    expect(findRouteTo(routes, "192.168.2.0/24")).toMatchObject({ table: "220" });
  });

  it("reads the default route as a main-table route with its gateway, and types the local table's entries", () => {
    expect(routes.find((r) => r.destination === "default")).toMatchObject({
      via: expect.stringMatching(/^198\.18\.\d+\.254$/),
      dev: "wan0",
      table: "main",
      type: "unicast",
    });
    expect(routes.find((r) => r.destination === "127.0.0.1")).toMatchObject({ type: "local", table: "local", scope: "host" });
    expect(routes.find((r) => r.type === "multicast")).toMatchObject({ family: "inet6", destination: "ff00::/8", metric: 256 });
  });

  it("reads a gateway of the other family and a metric; yields nothing for what is not a JSON list", () => {
    const [r] = parseIpRouteJson('[{"dst":"10.9.0.0/16","via":{"family":"inet6","host":"fe80::1"},"dev":"eth0","metric":100,"flags":[]}]');
    expect(r).toMatchObject({ via: "fe80::1", family: "inet6", metric: 100 });
    expect(parseIpRouteJson('Option "-json" is unknown')).toEqual([]);
    expect(parseIpRouteJson('{"dst":"x"}')).toEqual([]);
  });
});

describe("formatIpRoute and readableRoutes", () => {
  it("print routes as ip does, without the kernel's local/broadcast/multicast and link-local entries", () => {
    const text = readableRoutes(parseIpRouteJson(recorded()));
    expect(text.split("\n")[0]).toBe("192.168.2.0/24 dev ipsec0 table 220 proto static src 192.168.1.254");
    expect(text).toMatch(/^default via 198\.18\.\d+\.254 dev wan0$/m);
    expect(text).not.toMatch(/^(local|broadcast|multicast) |fe80|::1/m);
    expect(
      formatIpRoute({
        type: "blackhole",
        destination: "198.18.0.9",
        family: "inet",
        via: null,
        dev: null,
        src: null,
        table: "main",
        proto: null,
        scope: null,
        metric: 5,
      }),
    ).toBe("blackhole 198.18.0.9 metric 5");
  });
});
