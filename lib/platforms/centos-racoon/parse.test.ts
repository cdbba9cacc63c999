import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TunnelEnd } from "../contract";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "./article-fixtures";
import { parseCentosStatus, parseIfcfg } from "./parse";

const read = (rel: string) => readFileSync(path.join(import.meta.dirname, "..", rel), "utf8");
// Recording lab router a (198.18.100.1, LAN 192.168.1.0/24) with an ifup-style route added.
const end: TunnelEnd = { ...ARTICLE_NET_TO_NET, local: { ...ARTICLE_NET_TO_NET.local, publicIp: "198.18.100.1" }, remote: { ...ARTICLE_NET_TO_NET.remote, publicIp: "198.18.100.2" } };
const routes = { stdout: read("shared/__fixtures__/ip-route-table-all.txt"), exitCode: 0 };

describe("parseIfcfg", () => {
  it("reads plain and double-quoted assignments, skipping comments and blanks", () => {
    expect(parseIfcfg('# c\n\nTYPE=IPSEC\nIKE_ENC="aes 256"\nIKE_PSK="a&b"\n')).toEqual({ TYPE: "IPSEC", IKE_ENC: "aes 256", IKE_PSK: "a&b" });
  });

  it("refuses anything a shell would interpret", () => {
    for (const bad of ["A=$(id)", "A=`id`", "A=x y", "export A=1", "A='x'", 'A="$HOME"', "A=x;reboot", "A=x&"]) {
      expect(() => parseIfcfg(bad), bad).toThrow();
    }
  });
});

describe("parseCentosStatus", () => {
  it("is up from the route to DSTNET where SAs cannot be listed, configured where they can but none is there, up with an installed SA for the peer", () => {
    expect(parseCentosStatus(end, [routes, { stdout: "", exitCode: 127 }])).toMatchObject({ state: "up", reason: "route to the remote network installed", canListSas: false, ikeSa: null, routes: [{ destination: "192.168.2.0/24" }] });
    expect(parseCentosStatus(end, [routes, { stdout: "", exitCode: 0 }])).toMatchObject({ state: "configured", canListSas: true, ikeSa: null });
    const sas = { stdout: read("strongswan/__fixtures__/list-sas-ikev1-aggressive-net-to-net.txt"), exitCode: 0 };
    expect(parseCentosStatus(end, [routes, sas])).toMatchObject({ state: "up", ikeSa: { remote: { address: "198.18.100.2" } } });
  });

  it("is down without the route, and host-to-host needs SA info to be more than down", () => {
    expect(parseCentosStatus({ ...end, remote: { ...end.remote, subnets: ["192.168.7.0/24"] } }, [routes]).state).toBe("down");
    const h2h: TunnelEnd = { ...ARTICLE_NODE_TO_NODE, remote: { ...ARTICLE_NODE_TO_NODE.remote, publicIp: "198.18.100.2" } };
    expect(parseCentosStatus(h2h, [routes, { stdout: "", exitCode: 127 }]).state).toBe("down");
  });
});
