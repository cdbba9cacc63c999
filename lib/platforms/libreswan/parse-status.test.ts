import { describe, expect, it } from "vitest";
import { findNewIkeSa, snapshotSas } from "@/lib/rotation/key-switch";
import type { CommandResult } from "../contract";
import { judge, readCase, resultsFor, type RecordedResult } from "../recorded-cases";
import { libreswanTunnelSas, parseLibreswanStatus } from "./parse-status";
import { libreswanPlatform } from "./platform";

// Outputs Libreswan 4.10 lab routers printed (lib/platforms/libreswan/__recorded__, VM lab).

/** One end of a recorded case: its tunnel end and its router's outputs in statusCommands order. */
function recorded(caseName: string, label: string, sample = "sample-1") {
  const c = readCase("libreswan", caseName);
  const caseEnd = c.ends[label]!;
  const outputs = new Map(c.samples).get(sample)![caseEnd.router]!;
  return { end: caseEnd.end, results: resultsFor(outputs, libreswanPlatform.statusCommands(caseEnd.end)), caseEnd, outputs };
}
const status = (caseName: string, label: string, sample = "sample-1") => {
  const r = recorded(caseName, label, sample);
  return judge(libreswanPlatform, r.caseEnd, { [r.caseEnd.router]: r.outputs }).status;
};
const stdoutOf = (results: RecordedResult[], i: number) => results[i]!.stdout;

describe("parseLibreswanStatus (recorded)", () => {
  it("reads an established IKEv2 net-to-net tunnel: SAs, kernel counters, the route leftsourceip= adds", () => {
    const s = status("up", "hq");
    expect(s).toMatchObject({ state: "up", reason: "security association established", canListSas: true, error: null });
    expect(s.ikeSa).toEqual({
      name: "gw-t1",
      uniqueId: 1,
      state: "ESTABLISHED",
      version: 2,
      // No IKE SPIs in pluto's output: the CHILD SA's ESP SPIs, lower first, stand in.
      initiatorSpi: "61373991",
      responderSpi: "a7191365",
      // IKEv2's established state does not say who initiated (branch1 did).
      localIsInitiator: false,
      local: { id: "198.18.103.11", address: "198.18.103.11", port: 500 },
      remote: { id: "198.18.103.12", address: "198.18.103.12", port: 500 },
      algorithms: null,
      establishedSecondsAgo: null,
      rekeyInSeconds: expect.any(Number),
      reauthInSeconds: null,
      children: [
        {
          name: "gw-t1",
          uniqueId: 2,
          reqid: 16389,
          state: "INSTALLED",
          mode: "TUNNEL",
          udpEncapsulated: false,
          protocol: "ESP",
          algorithms: "hmac(sha256)/cbc(aes)",
          installedSecondsAgo: null,
          rekeyInSeconds: expect.any(Number),
          expiresInSeconds: expect.any(Number),
          inbound: { spi: "a7191365", bytes: 252, packets: 3, lastPacketSecondsAgo: null },
          outbound: { spi: "61373991", bytes: 252, packets: 3, lastPacketSecondsAgo: null },
          localTs: ["192.168.1.0/24"],
          remoteTs: ["192.168.2.0/24"],
        },
      ],
    });
    expect(s.routes).toEqual([
      expect.objectContaining({ destination: "192.168.2.0/24", dev: "eth0", src: "192.168.1.254", table: "main" }),
    ]);
    expect(s.saText.split("\n")).toEqual([
      expect.stringMatching(/^#1: "gw-t1":500 STATE_V2_ESTABLISHED_IKE_SA \(established IKE SA\);/),
      expect.stringMatching(/^#2: "gw-t1":500 STATE_V2_ESTABLISHED_CHILD_SA \(established Child SA\);.* IKE SA #1; idle;$/),
      '#2: "gw-t1" esp.61373991@198.18.103.12 esp.a7191365@198.18.103.11 tun.0@198.18.103.12 tun.0@198.18.103.11 Traffic: ESPin=252B ESPout=252B ESPmax=2^63B',
      expect.stringMatching(/^#2: "gw-t1", type=ESP, add_time=\d+, inBytes=252, outBytes=252, maxBytes=2\^63B, id='198\.18\.103\.12'$/),
    ]);
    expect(s.routesText).not.toMatch(/^(local|broadcast) /m);
    // Both ends show the same stand-in SPIs, each seeing the other's inbound as outbound.
    const peer = status("up", "branch1");
    expect([peer.ikeSa!.initiatorSpi, peer.ikeSa!.responderSpi]).toEqual(["61373991", "a7191365"]);
    expect(peer.ikeSa!.children[0]!.inbound!.spi).toBe("61373991");
  });

  it("keeps each tunnel to its own connection on a hub", () => {
    const [b1, b2] = [status("hub-two-tunnels", "hq-to-branch1"), status("hub-two-tunnels", "hq-to-branch2")];
    expect(b1).toMatchObject({
      state: "up",
      ikeSa: { name: "gw-t1", uniqueId: 1, children: [{ uniqueId: 2 }] },
      routes: [{ destination: "192.168.2.0/24" }],
    });
    expect(b2).toMatchObject({
      state: "up",
      ikeSa: { name: "gw-t2", uniqueId: 3, remote: { id: "198.18.103.13" }, children: [{ uniqueId: 4 }] },
      routes: [{ destination: "192.168.3.0/24" }],
    });
    expect(b1.saText).not.toContain("gw-t2");
    expect(b2.saText).not.toContain("gw-t1");
  });

  it("reads the same from 5.x output, which has no 3-digit codes", () => {
    const { end, results } = recorded("up", "hq");
    const strip = (r: CommandResult) => ({ ...r, stdout: r.stdout.replace(/^\d{3} /gm, "") });
    expect(parseLibreswanStatus(end, [strip(results[0]!), strip(results[1]!), results[2]!, results[3]!])).toEqual(
      parseLibreswanStatus(end, results),
    );
  });

  it("reads IKEv1 from both ends: roles from the state names, the same stand-in SPIs, REPLACE as the rekey time", () => {
    const [init, resp] = [status("ikev1", "branch1"), status("ikev1", "hq")];
    expect(init.ikeSa).toMatchObject({ version: 1, state: "ESTABLISHED", localIsInitiator: true, rekeyInSeconds: expect.any(Number) });
    expect(resp.ikeSa).toMatchObject({ version: 1, state: "ESTABLISHED", localIsInitiator: false });
    expect([resp.ikeSa!.initiatorSpi, resp.ikeSa!.responderSpi]).toEqual([init.ikeSa!.initiatorSpi, init.ikeSa!.responderSpi]);
    // IKEv1 has no CHILD SA REKEY event: the IPsec SA is replaced at REPLACE and has no separate expiry.
    expect(init.ikeSa!.children[0]).toMatchObject({ state: "INSTALLED", rekeyInSeconds: expect.any(Number), expiresInSeconds: null });
    expect([init.state, resp.state]).toEqual(["up", "up"]);
  });

  it("reads IPComp: tunnel mode for the bundle although the kernel's ESP SA is in transport mode, ESP counters", () => {
    const s = status("ikev1-aggressive-ipcomp", "hq");
    expect(s.ikeSa).toMatchObject({ version: 1, localIsInitiator: false });
    expect(s.ikeSa!.children[0]).toMatchObject({
      mode: "TUNNEL",
      protocol: "ESP",
      inbound: { spi: "2a396db8", bytes: 252, packets: 3 },
      outbound: { spi: "2b9264d3" },
    });
  });

  it("reads a host-to-host transport SA: up without any route", () => {
    const s = status("host-to-host", "hq");
    expect(s).toMatchObject({
      state: "up",
      routes: [],
      ikeSa: { children: [{ mode: "TRANSPORT", localTs: ["198.18.103.11/32"], remoteTs: ["198.18.103.12/32"] }] },
    });
  });

  it("is up on an IKEv1 IPsec SA whose ISAKMP SA is gone", () => {
    // The ikev1 recording without its ISAKMP SA line: an IPsec SA can outlive it.
    const { end, results } = recorded("ikev1", "hq");
    const states = stdoutOf(results, 0)
      .split("\n")
      .filter((l) => !l.includes("STATE_MAIN_R3"))
      .join("\n");
    expect(parseLibreswanStatus(end, [{ ...results[0]!, stdout: states }, ...results.slice(1)])).toMatchObject({
      state: "up",
      ikeSa: null,
      ikeSas: [],
    });
  });

  it("says configured while the IKE SA is negotiating, and why", () => {
    expect(status("connecting", "hq")).toMatchObject({
      state: "configured",
      reason: "negotiating: #1 STATE_V2_PARENT_I1 (sent IKE_SA_INIT request)",
      ikeSa: { uniqueId: 1, state: "CONNECTING", children: [] },
    });
  });

  it("shows the router's error when pluto is not running: stopped (no socket) or killed (socket refuses)", () => {
    const stopped = status("daemon-stopped", "branch1");
    expect(stopped).toMatchObject({
      state: "down",
      ikeSa: null,
      ikeSas: [],
      error: 'whack: Pluto is not running (no "/run/pluto/pluto.ctl")',
    });
    expect(stopped.reason).toBe(
      'no security association and no route (ipsec whack --showstates failed: whack: Pluto is not running (no "/run/pluto/pluto.ctl"))',
    );
    expect(stopped.saText).toBe('(ipsec whack --showstates failed: whack: Pluto is not running (no "/run/pluto/pluto.ctl"))');
    // A killed pluto leaves its socket, its kernel SAs and its route behind.
    const killed = status("one-end-up", "branch1");
    expect(killed).toMatchObject({
      state: "configured",
      error: 'whack: is Pluto running?  connect() for "/run/pluto/pluto.ctl" failed (111 Connection refused)',
    });
    expect(killed.reason).toMatch(/^route installed but no security association yet \(ipsec whack --showstates failed: /);
    const { end, results } = recorded("one-end-up", "branch1");
    expect(libreswanTunnelSas(end, results)).toBeNull();
  });

  it("after a peer's Delete: down without the conn, configured while auto=start renegotiates", () => {
    expect(status("down", "hq")).toMatchObject({ state: "down", ikeSas: [], routes: [] });
    expect(status("down", "branch1")).toMatchObject({
      state: "configured",
      reason: expect.stringMatching(/^negotiating: #\d+ STATE_V2_PARENT_I1 /),
    });
    expect(status("auth-failed", "hq")).toMatchObject({ state: "configured", reason: "route installed but no security association yet" });
  });

  it("says which optional command failed without losing the SA (old iproute2 without nokeys)", () => {
    const { end, results } = recorded("up", "hq");
    const outputs: CommandResult[] = [...results];
    outputs[2] = { stdout: "", stderr: 'Command "nokeys" is unknown, try "ip xfrm help".\n', exitCode: 255 };
    const s = parseLibreswanStatus(end, outputs);
    expect(s).toMatchObject({ state: "up", error: 'Command "nokeys" is unknown, try "ip xfrm help".' });
    expect(s.reason).toContain("(ip -s xfrm state failed:");
    // pluto's own counters stand in for the kernel's; packets are then unknown (0).
    expect(s.ikeSa!.children[0]!.inbound).toMatchObject({ spi: "a7191365", bytes: 252, packets: 0 });
  });
});

describe("IKE SA rekey (recorded)", () => {
  it("lists the new IKE SA as REKEYING while it negotiates, and the replaced one as REKEYED until deleted", () => {
    const negotiating = status("rekey-in-progress", "branch1", "sample-1");
    expect(negotiating.ikeSas.map((sa) => [sa.uniqueId, sa.state, sa.children.map((c) => c.uniqueId)])).toEqual([
      [3, "ESTABLISHED", [2]],
      [4, "REKEYING", []],
    ]);
    const replaced = status("rekey-in-progress", "branch1", "sample-2");
    expect(replaced.ikeSas.map((sa) => [sa.uniqueId, sa.state, sa.children.map((c) => c.uniqueId)])).toEqual([
      [1, "REKEYED", []],
      [3, "ESTABLISHED", [2]],
    ]);
    expect([negotiating.ikeSa!.uniqueId, replaced.ikeSa!.uniqueId, replaced.state]).toEqual([3, 3, "up"]);
  });

  it("moves the CHILD SAs to the new IKE SA as they are: its stand-in SPIs are the old ones, no proof of a new key", () => {
    // CHILD SA #2 was negotiated with IKE SA #1; after the rekey it hangs under #3.
    const { end, results } = recorded("rekey-in-progress", "branch1", "sample-2");
    const sas = libreswanTunnelSas(end, results)!;
    const rekeyed = sas.find((sa) => sa.uniqueId === 3)!;
    const beforeRekey = { spis: [`${rekeyed.initiatorSpi}_${rekeyed.responderSpi}`], uniqueIds: [1] };
    expect(findNewIkeSa(sas, beforeRekey, 10)).toMatchObject({ ok: false });
  });
});

describe("libreswanTunnelSas after a key switch (recorded: key-switched)", () => {
  const sas = (label: string, sample: string) => {
    const { end, results } = recorded("key-switched", label, sample);
    return libreswanTunnelSas(end, results.slice(0, 3))!;
  };

  it("shows a new IKE SA with new stand-in SPIs, which the rotation's proof accepts on both ends", () => {
    for (const label of ["hq", "branch1"]) {
      const [before, after] = [sas(label, "sample-1"), sas(label, "sample-2")];
      expect(findNewIkeSa(after, snapshotSas(before), 10), label).toMatchObject({ ok: true, sa: { uniqueId: 3 } });
      expect(findNewIkeSa(before, snapshotSas(before), 10).ok, label).toBe(false);
    }
  });

  it("lists both CHILD SAs the switch leaves under the new IKE SA (the second end's --up adds one to the IKE SA the first end's started), the newest standing in", () => {
    const [after] = sas("hq", "sample-2");
    expect(after!.children.map((c) => [c.uniqueId, c.state])).toEqual([
      [4, "INSTALLED"],
      [5, "INSTALLED"],
    ]);
    expect([after!.initiatorSpi, after!.responderSpi]).toEqual(
      [after!.children[1]!.inbound!.spi, after!.children[1]!.outbound!.spi].sort(),
    );
    expect(sas("branch1", "sample-2")[0]).toMatchObject({ initiatorSpi: after!.initiatorSpi, responderSpi: after!.responderSpi });
  });
});
