import { describe, expect, it } from "vitest";
import { readCase } from "../recorded-cases";
import { parseShowStates, parseTrafficStatus } from "./parse-whack";

/** What a Libreswan 4.10 lab router printed for `ipsec whack <option>` (lib/platforms/libreswan/__recorded__). */
function whack(caseName: string, router: string, option: "--showstates" | "--trafficstatus", sample = "sample-1"): string {
  const outputs = new Map(readCase("libreswan", caseName).samples).get(sample)![router]!;
  return outputs.find((r) => r.argv.join(" ") === `ipsec whack ${option}`)!.stdout;
}
const without4xCodes = (text: string) => text.replace(/^\d{3} /gm, "");

describe("parseShowStates (recorded)", () => {
  it("reads IKEv2 states with their timers, parent and SAIDs, for every connection of a hub", () => {
    const { states, details } = parseShowStates(whack("hub-two-tunnels", "hq", "--showstates"));
    expect(states.map((s) => [s.serial, s.connection, s.name, s.parentSerial, s.newest])).toEqual([
      [1, "gw-t1", "STATE_V2_ESTABLISHED_IKE_SA", null, true],
      [2, "gw-t1", "STATE_V2_ESTABLISHED_CHILD_SA", 1, true],
      [3, "gw-t2", "STATE_V2_ESTABLISHED_IKE_SA", null, true],
      [4, "gw-t2", "STATE_V2_ESTABLISHED_CHILD_SA", 3, true],
    ]);
    expect(states[0]).toMatchObject({
      remotePort: 500,
      story: "established IKE SA",
      events: { REKEY: expect.any(Number), REPLACE: expect.any(Number) },
    });
    expect(states[0]!.line).toMatch(
      /^#1: "gw-t1":500 STATE_V2_ESTABLISHED_IKE_SA \(established IKE SA\); REKEY in \d+s; REPLACE in \d+s; newest; idle;$/,
    );
    expect(details.map((d) => [d.serial, d.connection, d.saids.map((x) => `${x.protocol}@${x.address}`)])).toEqual([
      [2, "gw-t1", ["esp@198.18.103.12", "esp@198.18.103.11", "tun@198.18.103.12", "tun@198.18.103.11"]],
      [4, "gw-t2", ["esp@198.18.103.13", "esp@198.18.103.11", "tun@198.18.103.13", "tun@198.18.103.11"]],
    ]);
    expect(details[0]!.traffic).toEqual({ ESPin: "0B", ESPout: "0B", ESPmax: "2^63B" });
  });

  it("pads SPIs that pluto prints without their leading zero (%x)", () => {
    const text = whack("counters-moving", "hq", "--showstates");
    expect(text).toContain("esp.9916e4b@198.18.103.11");
    expect(parseShowStates(text).details[0]!.saids[1]).toEqual({ protocol: "esp", spi: "09916e4b", address: "198.18.103.11" });
  });

  it("reads the same without 4.x's 3-digit codes (5.x prints none)", () => {
    const text = whack("up", "hq", "--showstates");
    expect(parseShowStates(without4xCodes(text))).toEqual(parseShowStates(text));
  });

  it("reads IKEv1 main and aggressive mode: ISAKMP parent, DPD note, IPComp SAIDs", () => {
    const main = parseShowStates(whack("ikev1", "branch1", "--showstates"));
    expect(main.states.map((s) => [s.name, s.story, s.parentSerial, Object.keys(s.events)])).toEqual([
      ["STATE_MAIN_I4", "IKE SA established", null, ["REPLACE"]],
      ["STATE_QUICK_I2", "IPsec SA established", 1, ["REPLACE"]],
    ]);
    const aggressive = parseShowStates(whack("ikev1-aggressive-ipcomp", "hq", "--showstates"));
    expect(aggressive.states.map((s) => s.name)).toEqual(["STATE_AGGR_R2", "STATE_QUICK_R2"]);
    expect(aggressive.details[0]!.saids.map((s) => s.protocol)).toEqual(["esp", "esp", "comp", "comp", "tun", "tun"]);
    // IPComp CPIs are 16 bits, printed like SPIs (comp.79a): padded the same way.
    expect(aggressive.details[0]!.saids[3]).toEqual({ protocol: "comp", spi: "0000079a", address: "198.18.103.11" });
    expect(aggressive.details[0]!.traffic).toMatchObject({ IPCOMPin: "252B", IPCOMPout: "252B" });
  });

  it("reads a negotiation in progress and skips the pending-CHILD line", () => {
    const { states, details } = parseShowStates(whack("connecting", "hq", "--showstates"));
    expect(states).toEqual([
      expect.objectContaining({
        serial: 1,
        name: "STATE_V2_PARENT_I1",
        story: "sent IKE_SA_INIT request",
        events: { RETRANSMIT: expect.any(Number) },
        newest: false,
        parentSerial: null,
      }),
    ]);
    expect(details).toEqual([]);
  });

  it("reads an IKE SA rekey: the new SA in STATE_V2_REKEY_IKE_I0, then the old one no longer newest and due to expire", () => {
    const negotiating = parseShowStates(whack("rekey-in-progress", "branch1", "--showstates", "sample-1")).states;
    expect(negotiating.map((s) => [s.serial, s.name, s.newest, s.parentSerial])).toEqual([
      [2, "STATE_V2_ESTABLISHED_CHILD_SA", true, 3],
      [3, "STATE_V2_ESTABLISHED_IKE_SA", true, null],
      [4, "STATE_V2_REKEY_IKE_I0", false, null],
    ]);
    // pluto prints the state's name where other states have a story.
    expect(negotiating[2]).toMatchObject({ story: "STATE_V2_REKEY_IKE_I0", events: { CRYPTO_TIMEOUT: expect.any(Number) } });
    const replaced = parseShowStates(whack("rekey-in-progress", "branch1", "--showstates", "sample-2")).states;
    expect(replaced.map((s) => [s.serial, s.newest, s.events])).toEqual([
      [1, false, { EXPIRE: 0 }],
      [2, true, expect.any(Object)],
      [3, true, { REKEY: expect.any(Number), REPLACE: expect.any(Number) }],
    ]);
  });

  it("reads instance connections and the lines of Libreswan's own test output", () => {
    // Quoted from Libreswan's test suite (testing/pluto/*/…console.txt): shapes the lab's tunnels do not print.
    const text = [
      '000 #1: "roadnet-eastnet-ipv4-psk-ikev1"[1] 192.1.2.254:4500 STATE_MAIN_R3 (IKE SA established); REPLACE in 2612s; lastdpd=-1s(seq in:0 out:0); idle;',
      '000 #3: "labeled"[2] 192.1.2.23 esp.ab12@192.1.2.23 esp.cd34@192.1.2.45 tun.0@192.1.2.23 tun.0@192.1.2.45 Traffic: ESPin=164B ESPout=0B ESPmax=2^63B ',
      '000 #2: "xauth-road-eastnet" used 3s ago; esp.1@192.1.2.23 esp.2@192.1.3.209 Traffic: ESPin=84B ESPout=84B ESPmax=2^63B username=use1',
    ].join("\n");
    const { states, details } = parseShowStates(text);
    expect(states[0]).toMatchObject({ connection: "roadnet-eastnet-ipv4-psk-ikev1", remotePort: 4500, name: "STATE_MAIN_R3" });
    expect(details.map((d) => [d.connection, d.saids.length])).toEqual([
      ["labeled", 4],
      ["xauth-road-eastnet", 2],
    ]);
  });

  it("returns nothing for empty output (a router without SAs prints nothing)", () => {
    expect(whack("down", "hq", "--showstates")).toBe("");
    expect(parseShowStates("")).toEqual({ states: [], details: [] });
  });
});

describe("parseTrafficStatus (recorded)", () => {
  it("reads exact byte counters and the peer's ID per established IPsec SA", () => {
    expect(parseTrafficStatus(whack("counters-moving", "hq", "--trafficstatus", "sample-2"))).toEqual([
      expect.objectContaining({
        serial: 2,
        connection: "gw-t1",
        type: "ESP",
        addTime: expect.any(Number),
        inBytes: 672,
        outBytes: 672,
        remoteId: "198.18.103.12",
      }),
    ]);
    const hub = parseTrafficStatus(without4xCodes(whack("hub-two-tunnels", "hq", "--trafficstatus")));
    expect(hub.map((t) => [t.serial, t.connection, t.remoteId])).toEqual([
      [2, "gw-t1", "198.18.103.12"],
      [4, "gw-t2", "198.18.103.13"],
    ]);
    expect(hub[0]!.line).toMatch(/^#2: "gw-t1", type=ESP, add_time=\d+, inBytes=0, outBytes=0, maxBytes=2\^63B, id='198\.18\.103\.12'$/);
  });
});
