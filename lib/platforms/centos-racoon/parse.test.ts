import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../contract";
import { readCase } from "../recorded-cases";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "./article-fixtures";
import { centosTunnelSasFrom, parseCentosStatus, parseIfcfg } from "./parse";

/** hq's recorded outputs of a case (lib/platforms/centos-racoon/__recorded__): [ip route, setkey -D]. */
function recorded(name: string, router = "hq") {
  const c = readCase("centos-racoon", name);
  const [routes, sas] = c.samples[0]![1][router]!;
  return { end: c.ends[router]!.end, routes: routes!, sas: sas! };
}

describe("parseIfcfg", () => {
  it("reads plain and double-quoted assignments, skipping comments and blanks", () => {
    expect(parseIfcfg('# c\n\nTYPE=IPSEC\nIKE_ENC="aes 256"\nIKE_PSK="a&b"\n')).toEqual({
      TYPE: "IPSEC",
      IKE_ENC: "aes 256",
      IKE_PSK: "a&b",
    });
  });

  it("refuses anything a shell would interpret", () => {
    for (const bad of ["A=$(id)", "A=`id`", "A=x y", "export A=1", "A='x'", 'A="$HOME"', "A=x;reboot", "A=x&"]) {
      expect(() => parseIfcfg(bad), bad).toThrow();
    }
  });
});

describe("parseCentosStatus", () => {
  it("is up from the kernel's ESP pair (the lab's setkey -D), configured with only ifup's route, and not judged without a kernel listing", () => {
    const { end, routes, sas } = recorded("up");
    const up = parseCentosStatus(end, [routes, sas]);
    expect(up).toMatchObject({
      state: "up",
      canListSas: true,
      ikeSa: { name: "ipsec0", state: "ESTABLISHED", remote: { address: end.remote.publicIp } },
    });
    expect(parseCentosStatus(end, [routes, { stdout: "No SAD entries.\n", exitCode: 0 }])).toMatchObject({
      state: "configured",
      reason: "route installed but no security association yet",
    });
    // A route proves only that ifup ran (it exits 0 and adds it even when racoon cannot start).
    expect(parseCentosStatus(end, [routes], ["ip-route"])).toMatchObject({ state: "configured", canListSas: false });
  });

  it("keeps ifup's route after a negotiation that failed to authenticate: configured, nothing up", () => {
    const { end, routes, sas } = recorded("auth-failed");
    expect(parseCentosStatus(end, [routes, sas])).toMatchObject({ state: "configured", routes: [{ destination: "192.168.2.0/24" }] });
  });

  it("is down without SAs and route; host-to-host is up from a transport-mode pair, judged by the SAs alone", () => {
    const down = recorded("down");
    expect(parseCentosStatus(down.end, [down.routes, down.sas]).state).toBe("down");
    const h2h = recorded("host-to-host");
    const status = parseCentosStatus(h2h.end, [h2h.routes, h2h.sas]);
    // (The lab lists a route to the peer: libipsec carries host-to-host as tunnel mode /32; a real router has none.)
    expect(status).toMatchObject({ state: "up", ikeSa: { children: [{ mode: "TRANSPORT" }] } });
  });
});

describe("parseCentosStatus from the kernel's SAs (what a real CentOS router can show)", () => {
  const fixture = (name: string): CommandResult => ({
    stdout: readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8"),
    exitCode: 0,
  });
  const noRoutes: CommandResult = { stdout: "local 198.18.0.1 dev eth0 table local proto kernel scope host src 198.18.0.1\n", exitCode: 0 };
  const kernel = ["ip-route", "setkey-sad"] as const;

  it("judges host-to-host up from a transport-mode ESP pair, with no route (ifup adds none for it)", () => {
    const status = parseCentosStatus(ARTICLE_NODE_TO_NODE, [noRoutes, fixture("setkey-D-host-to-host.txt")], kernel);
    expect(status).toMatchObject({ state: "up", canListSas: true, routes: [], error: null });
    expect(status.ikeSa!.children[0]).toMatchObject({
      state: "INSTALLED",
      mode: "TRANSPORT",
      localTs: ["198.18.0.1/32"],
      remoteTs: ["198.18.0.2/32"],
      inbound: { spi: "0e0c441e" },
      outbound: { spi: "0aaa749f" },
    });
    expect(status.saText).toMatch(/ipsec0 #1: INSTALLED, TRANSPORT, ESP 3des-cbc\/hmac-sha1, installed 130s ago/);
  });

  it("is not up when the SAs are in another mode than ifup's policies ask for", () => {
    const tunnelMode = fixture("setkey-D-host-to-host.txt");
    tunnelMode.stdout = tunnelMode.stdout.replaceAll("mode=transport", "mode=tunnel");
    const status = parseCentosStatus(ARTICLE_NODE_TO_NODE, [noRoutes, tunnelMode], kernel);
    expect(status.state).toBe("configured");
    expect(status.reason).toMatch(/tunnel mode, but ifup's policies .* transport mode/);
  });

  it("proves a key switch by new SPIs: the newest pair stands in for the IKE SA, alike on both routers", () => {
    const after = fixture("setkey-D-net-to-net-after-switch.txt");
    const hq = parseCentosStatus(ARTICLE_NET_TO_NET, [noRoutes, after], kernel);
    expect(hq.state).toBe("up");
    expect([hq.ikeSa!.initiatorSpi, hq.ikeSa!.responderSpi]).toEqual(["0b7c3a11", "c41e0923"]);
    expect(hq.ikeSa!.children.map((c) => [c.state, c.inbound?.spi, c.outbound?.spi])).toEqual([
      ["INSTALLED", "0b7c3a11", "c41e0923"],
      ["REKEYED", "0a1b2c3d", "d4e5f607"],
    ]);
    // Before the switch only the old pair existed: other SPIs, so the switch is proven.
    const before = {
      ...after,
      stdout: after.stdout
        .split(/\n(?=198\.18\.2\.1 198\.18\.1\.1 \n\tesp mode=tunnel spi=\d+\(0x0a1b2c3d)/)[1]!
        .replaceAll("state=dying", "state=mature"),
    };
    const old = parseCentosStatus(ARTICLE_NET_TO_NET, [noRoutes, before], kernel).ikeSa!;
    expect([old.initiatorSpi, old.responderSpi]).toEqual(["0a1b2c3d", "d4e5f607"]);
    // The branch router sees the same pair from the other side.
    const branch = { ...ARTICLE_NET_TO_NET, local: ARTICLE_NET_TO_NET.remote, remote: ARTICLE_NET_TO_NET.local };
    const seen = parseCentosStatus(branch, [noRoutes, after], kernel).ikeSa!;
    expect([seen.initiatorSpi, seen.responderSpi]).toEqual(["0b7c3a11", "c41e0923"]);
    expect(centosTunnelSasFrom(ARTICLE_NET_TO_NET, [after], ["setkey-sad"])).toEqual(hq.ikeSas);
  });

  it("reads ip -s xfrm state too, newest pair by add time; without times it claims no newest pair", () => {
    const sa = (src: string, dst: string, spi: string, added: string) =>
      `src ${src} dst ${dst}\n\tproto esp spi 0x${spi}(${parseInt(spi, 16)}) reqid 0(0x00000000) mode transport\n\treplay-window 32 seq 0x00000000 flag  (0x00000000)\n\tauth-trunc hmac(sha1) 0xab12cd34ab12cd34ab12cd34ab12cd34ab12cd34 96\n\tenc cbc(des3_ede) 0x5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed\n\tlifetime config:\n\t  limit: soft (INF)(bytes), hard (INF)(bytes)\n\tlifetime current:\n\t  84(bytes), 1(packets)\n\t  add ${added} use -\n`;
    const text = [
      sa("198.18.0.2", "198.18.0.1", "00000a01", "2024-06-01 08:00:00"),
      sa("198.18.0.1", "198.18.0.2", "00000b01", "2024-06-01 08:00:00"),
      sa("198.18.0.2", "198.18.0.1", "00000a02", "2024-06-01 09:00:00"),
      sa("198.18.0.1", "198.18.0.2", "00000b02", "2024-06-01 09:00:00"),
    ].join("");
    const status = parseCentosStatus(ARTICLE_NODE_TO_NODE, [noRoutes, { stdout: text, exitCode: 0 }], ["ip-route", "xfrm-state"]);
    expect(status).toMatchObject({ state: "up", ikeSa: { initiatorSpi: "00000a02", responderSpi: "00000b02" } });
    expect(JSON.stringify(status)).not.toContain("5eed5eed");
    const undated = text.replace(/\t {2}add .*\n/g, "");
    expect(
      parseCentosStatus(ARTICLE_NODE_TO_NODE, [noRoutes, { stdout: undated, exitCode: 0 }], ["ip-route", "xfrm-state"]).ikeSa,
    ).toMatchObject({ state: "ESTABLISHED", initiatorSpi: "", responderSpi: "" });
  });

  it("is configured while negotiating (a larval SA) or with the route alone, down with nothing, and says when setkey fails", () => {
    const route = recorded("up").routes;
    expect(parseCentosStatus(ARTICLE_NET_TO_NET, [route, fixture("setkey-D-larval-natt.txt")], kernel)).toMatchObject({
      state: "configured",
      ikeSas: [],
    });
    expect(parseCentosStatus(ARTICLE_NET_TO_NET, [route, fixture("setkey-D-empty.txt")], kernel)).toMatchObject({
      state: "configured",
      reason: "route installed but no security association yet",
    });
    expect(parseCentosStatus(ARTICLE_NODE_TO_NODE, [noRoutes, fixture("setkey-D-empty.txt")], kernel)).toMatchObject({
      state: "down",
      reason: "no security association",
      saText: "(no security association for this tunnel)",
    });
    const failed = parseCentosStatus(
      ARTICLE_NODE_TO_NODE,
      [noRoutes, { stdout: "", stderr: "bash: setkey: command not found", exitCode: 127 }],
      kernel,
    );
    expect(failed).toMatchObject({ state: "down", error: "bash: setkey: command not found" });
    expect(failed.reason).toMatch(/setkey -D failed: bash: setkey: command not found/);
  });
});
