import { describe, expect, it } from "vitest";
import type { IkeSa } from "../status";
import { describeSas } from "./describe-sas";

const child = {
  name: "gw-t1",
  uniqueId: 1,
  reqid: 1,
  state: "INSTALLED",
  mode: "TUNNEL",
  udpEncapsulated: true,
  protocol: "ESP",
  algorithms: "AES_CBC-256/HMAC_SHA2_256_128",
  installedSecondsAgo: 3,
  rekeyInSeconds: 3311,
  expiresInSeconds: 3957,
  inbound: { spi: "3fc4e1a9", bytes: 420, packets: 5, lastPacketSecondsAgo: 2 },
  outbound: { spi: "481a24d7", bytes: 0, packets: 0, lastPacketSecondsAgo: null },
  localTs: ["192.168.1.0/24"],
  remoteTs: ["192.168.2.0/24", "10.0.0.0/8"],
};
const sa: IkeSa = {
  name: "gw-t1",
  uniqueId: 2,
  state: "ESTABLISHED",
  version: 2,
  initiatorSpi: "c19926153ef70ce4",
  responderSpi: "7c515e1e13f07317",
  localIsInitiator: false,
  local: { id: "198.18.163.11", address: "198.18.163.11", port: 4500 },
  remote: { id: "vpn.example.org", address: "198.18.163.12", port: 4500 },
  algorithms: "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
  establishedSecondsAgo: 3,
  rekeyInSeconds: 81900,
  reauthInSeconds: null,
  children: [child],
};

describe("describeSas", () => {
  it("writes an IKE SA and its CHILD SA for people: ids, state, version, SPIs, addresses, age, counters, selectors", () => {
    expect(describeSas([sa])).toBe(
      [
        "gw-t1 #2: ESTABLISHED, IKEv2, SPIs c19926153ef70ce4_i 7c515e1e13f07317_r (initiated by the peer)",
        "  local  198.18.163.11:4500",
        "  remote 198.18.163.12:4500 (id vpn.example.org)",
        "  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256, established 3s ago, rekeying in 81900s",
        "  gw-t1 #1: INSTALLED, TUNNEL in UDP, ESP AES_CBC-256/HMAC_SHA2_256_128, installed 3s ago",
        "    in  SPI 3fc4e1a9: 420 bytes, 5 packets, last packet 2s ago",
        "    out SPI 481a24d7: 0 bytes, 0 packets",
        "    192.168.1.0/24 === 192.168.2.0/24 10.0.0.0/8",
      ].join("\n"),
    );
  });

  it("writes a half-open SA as not established, and several SAs one after the other", () => {
    const connecting: IkeSa = {
      ...sa,
      uniqueId: 3,
      state: "CONNECTING",
      localIsInitiator: true,
      responderSpi: "0000000000000000",
      algorithms: null,
      establishedSecondsAgo: null,
      rekeyInSeconds: null,
      local: { id: "%any", address: "198.18.163.11", port: 500 },
      children: [],
    };
    const text = describeSas([sa, connecting]).split("\n");
    expect(text).toContain("gw-t1 #3: CONNECTING, IKEv2, SPIs c19926153ef70ce4_i 0000000000000000_r (initiated here)");
    expect(text).toContain("  local  198.18.163.11:500 (id %any)");
    expect(text.at(-1)).toBe("  not established yet");
    expect(describeSas([])).toBe("");
  });
});
