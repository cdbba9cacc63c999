import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findNewIkeSa, snapshotSas } from "@/lib/rotation/key-switch";
import type { CommandResult, TunnelEnd } from "../contract";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "../centos-racoon/article-fixtures";
import { MODERN_PROFILE } from "../crypto-profiles";
import { libreswanTunnelSas, parseLibreswanStatus } from "./parse-status";

// Constructed from Libreswan's and iproute2's source (see __fixtures__/README.md), to be replaced by VM lab recordings.
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");
const okResult = (name: string | null): CommandResult => ({ stdout: name ? fixture(name) : "", exitCode: 0 });

const modern: TunnelEnd = { ...ARTICLE_NET_TO_NET, connectionName: "gw-modern-net", profile: MODERN_PROFILE };
const other: TunnelEnd = {
  ...modern, connectionName: "gw-other",
  remote: { publicIp: "198.18.3.1", lanAddress: "192.168.3.254", subnets: ["192.168.3.0/24"] },
};
const aggr: TunnelEnd = { ...ARTICLE_NET_TO_NET, connectionName: "gw-aggr-net" };
/** The same tunnel seen from its responder, 198.18.2.1. */
const aggrResponder: TunnelEnd = { ...aggr, local: aggr.remote, remote: aggr.local };

const ikev2Outputs = (states = "showstates-ikev2-net-to-net.txt") => [
  okResult(states), okResult("trafficstatus-ikev2-net-to-net.txt"), okResult("xfrm-state-ikev2-net-to-net.txt"), okResult("ip-route-net-to-net.txt"),
];

describe("parseLibreswanStatus", () => {
  it("reads an established IKEv2 net-to-net tunnel: SAs, kernel counters, route from leftsourceip", () => {
    const s = parseLibreswanStatus(modern, ikev2Outputs());
    expect(s).toMatchObject({ state: "up", reason: "security association established", canListSas: true, error: null });
    expect(s.ikeSas).toHaveLength(1);
    expect(s.ikeSa).toEqual({
      name: "gw-modern-net", uniqueId: 1, state: "ESTABLISHED", version: 2,
      // No IKE SPIs in pluto's output: the CHILD SA's ESP SPIs, lower first, stand in.
      initiatorSpi: "09b27f3e", responderSpi: "c4d0e2a1", localIsInitiator: false,
      local: { id: "198.18.1.1", address: "198.18.1.1", port: 500 }, remote: { id: "198.18.2.1", address: "198.18.2.1", port: 500 },
      algorithms: null, establishedSecondsAgo: null, rekeyInSeconds: 84906, reauthInSeconds: null,
      children: [{
        name: "gw-modern-net", uniqueId: 2, reqid: 16389, state: "INSTALLED", mode: "TUNNEL", udpEncapsulated: false,
        protocol: "ESP", algorithms: "hmac(sha256)/cbc(aes)", installedSecondsAgo: null, rekeyInSeconds: 2771, expiresInSeconds: 3587,
        inbound: { spi: "09b27f3e", bytes: 252, packets: 3, lastPacketSecondsAgo: null },
        outbound: { spi: "c4d0e2a1", bytes: 252, packets: 3, lastPacketSecondsAgo: null },
        localTs: ["192.168.1.0/24"], remoteTs: ["192.168.2.0/24"],
      }],
    });
    expect(s.routes).toEqual([expect.objectContaining({ destination: "192.168.2.0/24", dev: "eth0", src: "192.168.1.254", table: "main" })]);
    expect(s.saText.split("\n")).toEqual([
      '#1: "gw-modern-net":500 STATE_V2_ESTABLISHED_IKE_SA (established IKE SA); REKEY in 84906s; REPLACE in 86387s; newest; idle;',
      '#2: "gw-modern-net":500 STATE_V2_ESTABLISHED_CHILD_SA (established Child SA); REKEY in 2771s; REPLACE in 3587s; newest; eroute owner; IKE SA #1; idle;',
      '#2: "gw-modern-net" esp.c4d0e2a1@198.18.2.1 esp.9b27f3e@198.18.1.1 tun.0@198.18.2.1 tun.0@198.18.1.1 Traffic: ESPin=252B ESPout=252B ESPmax=2^63B',
      "#2: \"gw-modern-net\", type=ESP, add_time=1717236000, inBytes=252, outBytes=252, maxBytes=2^63B, id='198.18.2.1'",
    ]);
    expect(s.routesText).not.toMatch(/^(local|broadcast) /m);
  });

  it("keeps each tunnel to its own connection on a router with several, NAT traversal included", () => {
    const s = parseLibreswanStatus(other, ikev2Outputs());
    expect(s.ikeSa).toMatchObject({ uniqueId: 3, remote: { port: 4500 }, children: [{ uniqueId: 4, udpEncapsulated: true, inbound: { spi: "d2f4a991", packets: 0 } }] });
    expect(s.saText).not.toContain("gw-modern-net");
    // No route to 192.168.3.0/24 in the table, but the SA is what says up.
    expect(s).toMatchObject({ state: "up", routes: [] });
  });

  it("reads the same from 5.x output, which has no 3-digit codes", () => {
    const strip = (r: CommandResult) => ({ ...r, stdout: r.stdout.replace(/^\d{3} /gm, "") });
    const outputs = ikev2Outputs();
    expect(parseLibreswanStatus(modern, [strip(outputs[0]!), strip(outputs[1]!), outputs[2]!, outputs[3]!])).toEqual(parseLibreswanStatus(modern, outputs));
  });

  it("reads IKEv1 aggressive mode from both ends: roles from the state names, the same stand-in SPIs, tunnel mode around IPComp", () => {
    const kernel = okResult("xfrm-state-ikev1-aggressive.txt");
    const init = parseLibreswanStatus(aggr, [okResult("showstates-ikev1-aggressive.txt"), okResult("trafficstatus-ikev1-aggressive.txt"), kernel, okResult(null)]);
    const resp = parseLibreswanStatus(aggrResponder, [okResult("showstates-ikev1-aggressive-responder.txt"), okResult(null), okResult(null), okResult(null)]);
    expect(init.ikeSa).toMatchObject({ version: 1, localIsInitiator: true, establishedSecondsAgo: null, rekeyInSeconds: 27924 });
    expect(init.ikeSa!.children[0]).toMatchObject({ mode: "TUNNEL", algorithms: "hmac(sha1)/cbc(des3_ede)", rekeyInSeconds: 2898, expiresInSeconds: null, inbound: { spi: "e5f60718", bytes: 336, packets: 4 } });
    expect(resp.ikeSa).toMatchObject({ version: 1, localIsInitiator: false, state: "ESTABLISHED" });
    expect([resp.ikeSa!.initiatorSpi, resp.ikeSa!.responderSpi]).toEqual([init.ikeSa!.initiatorSpi, init.ikeSa!.responderSpi]);
    expect(resp.ikeSa!.children[0]!.inbound!.spi).toBe(init.ikeSa!.children[0]!.outbound!.spi);
    // Without kernel counters the SPIs still show; the bytes fall back to 0 and packets are unknown (0).
    expect(resp.ikeSa!.children[0]!.inbound).toEqual({ spi: "7a3b2c1d", bytes: 0, packets: 0, lastPacketSecondsAgo: null });
    expect([init.state, resp.state]).toEqual(["up", "up"]);
  });

  it("reads a host-to-host transport SA: up without any route", () => {
    const h2h: TunnelEnd = { ...ARTICLE_NODE_TO_NODE, connectionName: "gw-h2h" };
    const states = [
      '000 #1: "gw-h2h":500 STATE_V2_ESTABLISHED_IKE_SA (established IKE SA); REKEY in 27000s; REPLACE in 28790s; newest; idle;',
      '000 #2: "gw-h2h":500 STATE_V2_ESTABLISHED_CHILD_SA (established Child SA); REKEY in 3000s; REPLACE in 3590s; newest; eroute owner; IKE SA #1; idle;',
      '000 #2: "gw-h2h" esp.aa@198.18.0.2 esp.bb@198.18.0.1 Traffic: ESPin=64B ESPout=64B ESPmax=2^63B ',
    ].join("\n");
    const s = parseLibreswanStatus(h2h, [{ stdout: states, exitCode: 0 }, okResult(null), okResult(null), okResult(null)]);
    expect(s).toMatchObject({ state: "up", routes: [], ikeSa: { children: [{ mode: "TRANSPORT", localTs: ["198.18.0.1/32"], remoteTs: ["198.18.0.2/32"] }] } });
  });

  it("is up on an IKEv1 IPsec SA whose ISAKMP SA is gone", () => {
    const states = fixture("showstates-ikev1-aggressive.txt").split("\n").slice(1).join("\n");
    const s = parseLibreswanStatus(aggr, [{ stdout: states, exitCode: 0 }, okResult(null), okResult(null), okResult(null)]);
    expect(s).toMatchObject({ state: "up", ikeSa: null, ikeSas: [] });
  });

  it("says configured while the IKE SA is negotiating, and why", () => {
    const s = parseLibreswanStatus(modern, [okResult("showstates-connecting.txt"), okResult(null), okResult(null), okResult(null)]);
    expect(s).toMatchObject({ state: "configured", reason: "negotiating: #5 STATE_V2_PARENT_I1 (sent IKE_SA_INIT request)", ikeSa: { uniqueId: 5, state: "CONNECTING", children: [] } });
  });

  it("shows the router's error when pluto is not running: down, or configured by a leftover route", () => {
    const notRunning = { stdout: "", stderr: fixture("whack-not-running.stderr.txt"), exitCode: 33 };
    const s = parseLibreswanStatus(modern, [notRunning, notRunning, okResult(null), okResult("ip-route-net-to-net.txt")]);
    expect(s).toMatchObject({ state: "configured", ikeSa: null, ikeSas: [], error: 'whack: Pluto is not running (no "/run/pluto/pluto.ctl")' });
    expect(s.reason).toBe('route installed but no security association yet (ipsec whack --showstates failed: whack: Pluto is not running (no "/run/pluto/pluto.ctl"))');
    expect(s.saText).toBe('(ipsec whack --showstates failed: whack: Pluto is not running (no "/run/pluto/pluto.ctl"))');
    expect(parseLibreswanStatus(modern, [notRunning, notRunning, okResult(null), okResult(null)]).state).toBe("down");
    expect(libreswanTunnelSas(modern, [notRunning])).toBeNull();
  });

  it("says which optional command failed without losing the SA (old iproute2 without nokeys)", () => {
    const outputs = ikev2Outputs();
    outputs[2] = { stdout: "", stderr: 'Command "nokeys" is unknown, try "ip xfrm help".\n', exitCode: 255 };
    const s = parseLibreswanStatus(modern, outputs);
    expect(s).toMatchObject({ state: "up", error: 'Command "nokeys" is unknown, try "ip xfrm help".' });
    expect(s.reason).toContain("(ip -s xfrm state failed:");
    expect(s.ikeSa!.children[0]!.inbound).toMatchObject({ spi: "09b27f3e", bytes: 252, packets: 0 });
  });
});

describe("libreswanTunnelSas (rotation proof)", () => {
  it("shows a new IKE SA after --down/--up: new serial and new stand-in SPIs, which the rotation's proof accepts", () => {
    const before = libreswanTunnelSas(modern, ikev2Outputs().slice(0, 3))!;
    const after = libreswanTunnelSas(modern, [okResult("showstates-after-restart.txt"), okResult(null), okResult(null)])!;
    expect(after.map((sa) => [sa.uniqueId, sa.initiatorSpi, sa.responderSpi])).toEqual([[7, "3f0e9d21", "a47b5c02"]]);
    expect(findNewIkeSa(after, snapshotSas(before), 10)).toMatchObject({ ok: true, sa: { uniqueId: 7 } });
    // The old SA still listed alone is no proof, from this router's snapshot or from the peer's.
    expect(findNewIkeSa(before, snapshotSas(before), 10).ok).toBe(false);
    expect(findNewIkeSa(before, { spis: snapshotSas(before).spis, uniqueIds: [] }, 10).ok).toBe(false);
  });
});
