import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseShowStates, parseTrafficStatus } from "./parse-whack";

// Constructed from Libreswan's source (see __fixtures__/README.md), to be replaced by VM lab recordings.
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");
const without4xCodes = (text: string) => text.replace(/^\d{3} /gm, "");

describe("parseShowStates", () => {
  it("reads IKEv2 states with their timers, parent and SPIs, for every connection", () => {
    const { states, details } = parseShowStates(fixture("showstates-ikev2-net-to-net.txt"));
    expect(states.map((s) => [s.serial, s.connection, s.name, s.parentSerial])).toEqual([
      [1, "gw-modern-net", "STATE_V2_ESTABLISHED_IKE_SA", null],
      [2, "gw-modern-net", "STATE_V2_ESTABLISHED_CHILD_SA", 1],
      [3, "gw-other", "STATE_V2_ESTABLISHED_IKE_SA", null],
      [4, "gw-other", "STATE_V2_ESTABLISHED_CHILD_SA", 3],
    ]);
    expect(states[0]).toMatchObject({
      remotePort: 500, story: "established IKE SA", events: { REKEY: 84906, REPLACE: 86387 }, newest: true,
      line: '#1: "gw-modern-net":500 STATE_V2_ESTABLISHED_IKE_SA (established IKE SA); REKEY in 84906s; REPLACE in 86387s; newest; idle;',
    });
    expect(states[2]!.remotePort).toBe(4500);
    expect(details[0]).toMatchObject({
      serial: 2, connection: "gw-modern-net",
      // pluto prints SPIs with %x: the leading zero of 09b27f3e comes back.
      saids: [
        { protocol: "esp", spi: "c4d0e2a1", address: "198.18.2.1" }, { protocol: "esp", spi: "09b27f3e", address: "198.18.1.1" },
        { protocol: "tun", spi: "00000000", address: "198.18.2.1" }, { protocol: "tun", spi: "00000000", address: "198.18.1.1" },
      ],
      traffic: { ESPin: "252B", ESPout: "252B", ESPmax: "2^63B" },
    });
  });

  it("reads the same from 5.x, which prints no 3-digit codes", () => {
    const text = fixture("showstates-ikev2-net-to-net.txt");
    expect(parseShowStates(without4xCodes(text))).toEqual(parseShowStates(text));
  });

  it("reads IKEv1 aggressive mode with ISAKMP parent, DPD note and IPComp SAIDs", () => {
    const { states, details } = parseShowStates(fixture("showstates-ikev1-aggressive.txt"));
    expect(states.map((s) => [s.name, s.parentSerial, s.events])).toEqual([
      ["STATE_AGGR_I2", null, { REPLACE: 27924 }],
      ["STATE_QUICK_I2", 1, { REPLACE: 2898 }],
    ]);
    expect(details[0]!.saids.map((s) => s.protocol)).toEqual(["esp", "esp", "comp", "comp", "tun", "tun"]);
    expect(details[0]!.saids[2]).toEqual({ protocol: "comp", spi: "0000a1b2", address: "198.18.2.1" });
  });

  it("reads a negotiation in progress and skips the pending-CHILD line", () => {
    const { states, details } = parseShowStates(fixture("showstates-connecting.txt"));
    expect(states).toEqual([expect.objectContaining({ serial: 5, name: "STATE_V2_PARENT_I1", story: "sent IKE_SA_INIT request", events: { RETRANSMIT: 8 }, newest: false })]);
    expect(details).toEqual([]);
  });

  it("reads instance connections and the lines of Libreswan's own test output", () => {
    const text = [
      '000 #1: "roadnet-eastnet-ipv4-psk-ikev1"[1] 192.1.2.254:4500 STATE_MAIN_R3 (IKE SA established); REPLACE in 2612s; lastdpd=-1s(seq in:0 out:0); idle;',
      '000 #3: "labeled"[2] 192.1.2.23 esp.ab12@192.1.2.23 esp.cd34@192.1.2.45 tun.0@192.1.2.23 tun.0@192.1.2.45 Traffic: ESPin=164B ESPout=0B ESPmax=2^63B ',
      '000 #2: "xauth-road-eastnet" used 3s ago; esp.1@192.1.2.23 esp.2@192.1.3.209 Traffic: ESPin=84B ESPout=84B ESPmax=2^63B username=use1',
    ].join("\n");
    const { states, details } = parseShowStates(text);
    expect(states[0]).toMatchObject({ connection: "roadnet-eastnet-ipv4-psk-ikev1", remotePort: 4500, name: "STATE_MAIN_R3" });
    expect(details.map((d) => [d.connection, d.saids.length])).toEqual([["labeled", 4], ["xauth-road-eastnet", 2]]);
  });

  it("returns nothing for empty output", () => {
    expect(parseShowStates("")).toEqual({ states: [], details: [] });
  });
});

describe("parseTrafficStatus", () => {
  it("reads exact byte counters and the peer's ID per established IPsec SA", () => {
    expect(parseTrafficStatus(fixture("trafficstatus-ikev2-net-to-net.txt"))).toEqual([
      expect.objectContaining({ serial: 2, connection: "gw-modern-net", type: "ESP", addTime: 1717236000, inBytes: 252, outBytes: 252, remoteId: "198.18.2.1" }),
      expect.objectContaining({ serial: 4, connection: "gw-other", inBytes: 0, outBytes: 0, remoteId: "198.18.3.1" }),
    ]);
    expect(parseTrafficStatus(without4xCodes(fixture("trafficstatus-ikev1-aggressive.txt")))).toEqual([
      expect.objectContaining({ serial: 2, connection: "gw-aggr-net", inBytes: 336, line: "#2: \"gw-aggr-net\", type=ESP, add_time=1717239600, inBytes=336, outBytes=336, maxBytes=2^63B, id='198.18.2.1'" }),
    ]);
  });
});
