import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TunnelEnd } from "../contract";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "../centos-racoon/article-fixtures";
import { parseStrongswanStatus } from "./parse-status";

const read = (rel: string) => readFileSync(path.join(import.meta.dirname, "..", rel), "utf8");
const routes = read("shared/__fixtures__/ip-route-table-all.txt");
// The recording lab's router a: 198.18.100.1, LAN 192.168.1.0/24, peer 198.18.100.2.
const net: TunnelEnd = {
  ...ARTICLE_NET_TO_NET, connectionName: "gw-legacy",
  local: { ...ARTICLE_NET_TO_NET.local, publicIp: "198.18.100.1" }, remote: { ...ARTICLE_NET_TO_NET.remote, publicIp: "198.18.100.2" },
};
const h2h: TunnelEnd = { ...ARTICLE_NODE_TO_NODE, connectionName: "gw-h2h", local: { ...net.local, subnets: [] }, remote: { ...net.remote, subnets: [] } };

describe("parseStrongswanStatus (recorded outputs)", () => {
  it("finds this tunnel's SA by connection name among several, with its table-220 route", () => {
    const s = parseStrongswanStatus(net, [{ stdout: read("strongswan/__fixtures__/list-sas-two-sas.txt"), exitCode: 0 }, { stdout: routes, exitCode: 0 }]);
    expect(s.state).toBe("up");
    expect(s.ikeSa).toMatchObject({ name: "gw-legacy", version: 1 });
    expect(s.routes).toEqual([expect.objectContaining({ destination: "192.168.2.0/24", table: "220" })]);
  });

  it("reads a host-to-host tunnel's /32 route and SA", () => {
    const s = parseStrongswanStatus(h2h, [{ stdout: read("strongswan/__fixtures__/list-sas-two-sas.txt"), exitCode: 0 }, { stdout: routes, exitCode: 0 }]);
    expect(s).toMatchObject({ state: "up", ikeSa: { name: "gw-h2h" } });
    expect(s.routes[0]).toMatchObject({ destination: "198.18.100.2", dev: "ipsec0" });
  });

  it("is not up while connecting, and down when swanctl failed and no route exists", () => {
    const connecting = parseStrongswanStatus({ ...net, connectionName: "gw-unreach" }, [{ stdout: read("strongswan/__fixtures__/list-sas-connecting.txt"), exitCode: 0 }, { stdout: "", exitCode: 0 }]);
    expect(connecting).toMatchObject({ state: "down", ikeSa: { state: "CONNECTING" } });
    expect(parseStrongswanStatus(net, [{ stdout: "", exitCode: 1 }, { stdout: "", exitCode: 0 }]).state).toBe("down");
  });
});
