import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseListSas } from "./parse-list-sas";

// Recorded from two charon 5.9.8 instances (kernel-libipsec) in throwaway namespaces.
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", `list-sas-${name}.txt`), "utf8");

describe("parseListSas", () => {
  it("reads an established IKEv2 net-to-net SA with traffic counters", () => {
    const [sa, ...rest] = parseListSas(fixture("ikev2-net-to-net"));
    expect(rest).toHaveLength(0);
    expect(sa).toEqual({
      name: "gw-modern", uniqueId: 2, state: "ESTABLISHED", version: 2,
      initiatorSpi: "860c0563f238b10c", responderSpi: "2e6642dd9beadd2e", localIsInitiator: false,
      local: { id: "198.18.100.1", address: "198.18.100.1", port: 4500 },
      remote: { id: "198.18.100.2", address: "198.18.100.2", port: 4500 },
      algorithms: "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
      establishedSecondsAgo: 4, rekeyInSeconds: 77966, reauthInSeconds: null,
      children: [{
        name: "gw-modern", uniqueId: 1, reqid: 1, state: "INSTALLED", mode: "TUNNEL", udpEncapsulated: true,
        protocol: "ESP", algorithms: "AES_CBC-256/HMAC_SHA2_256_128",
        installedSecondsAgo: 4, rekeyInSeconds: 3512, expiresInSeconds: 3956,
        inbound: { spi: "2599a953", bytes: 252, packets: 3, lastPacketSecondsAgo: 0 },
        outbound: { spi: "7d32e0ce", bytes: 252, packets: 3, lastPacketSecondsAgo: 0 },
        localTs: ["192.168.1.0/24"], remoteTs: ["192.168.2.0/24"],
      }],
    });
  });

  it("reads IKEv1 (the article's proposal) from both initiator and responder", () => {
    const [init] = parseListSas(fixture("ikev1-aggressive-net-to-net"));
    const [resp] = parseListSas(fixture("ikev1-aggressive-net-to-net-responder"));
    expect(init).toMatchObject({ version: 1, localIsInitiator: true, algorithms: "3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024" });
    expect(resp).toMatchObject({ version: 1, localIsInitiator: false, initiatorSpi: init!.initiatorSpi, responderSpi: init!.responderSpi });
    expect(init!.children[0]).toMatchObject({ algorithms: "3DES_CBC/HMAC_SHA1_96/MODP_1024", uniqueId: 3 });
    // The two ends see each other's SPIs swapped.
    expect(resp!.children[0]!.inbound!.spi).toBe(init!.children[0]!.outbound!.spi);
  });

  it("reads several IKE SAs, a reauth timer and /32 host-to-host selectors", () => {
    const sas = parseListSas(fixture("two-sas"));
    expect(sas.map((s) => s.name)).toEqual(["gw-h2h", "gw-legacy"]);
    expect(sas[0]).toMatchObject({ reauthInSeconds: 27988, rekeyInSeconds: null });
    expect(sas[0]!.children[0]).toMatchObject({ localTs: ["198.18.100.1/32"], remoteTs: ["198.18.100.2/32"], reqid: 2 });
    expect(sas[1]!.children[0]!.inbound).toMatchObject({ lastPacketSecondsAgo: 4 });
  });

  it("reads a half-open SA that is still connecting (no algorithms, no children)", () => {
    const [sa] = parseListSas(fixture("connecting"));
    expect(sa).toMatchObject({
      name: "gw-unreach", state: "CONNECTING", version: 1, responderSpi: "0000000000000000",
      local: { id: "%any", address: "198.18.100.1", port: 500 }, algorithms: null, establishedSecondsAgo: null, children: [],
    });
  });

  it("returns no SAs for empty output", () => {
    expect(parseListSas(fixture("empty"))).toEqual([]);
  });

  it("reads a child with several selectors and no traffic yet", () => {
    const text = [
      "gw-x: #7, ESTABLISHED, IKEv2, 0123456789abcdef_i* fedcba9876543210_r",
      "  local  '198.18.0.1' @ 198.18.0.1[4500]",
      "  remote '198.18.0.2' @ 198.18.0.2[4500]",
      "  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
      "  established 10s ago, rekeying in 100s, reauth in 200s",
      "  gw-x: #9, reqid 4, REKEYED, TUNNEL, ESP:AES_CBC-256/HMAC_SHA2_256_128/ECP_256",
      "    installed 10s ago, expires in 50s",
      "    in  c1234567,      0 bytes,     0 packets",
      "    out c7654321,      0 bytes,     0 packets",
      "    local  10.0.1.0/24 10.0.3.0/24",
      "    remote 10.0.2.0/24",
    ].join("\n");
    const [sa] = parseListSas(text);
    expect(sa).toMatchObject({ rekeyInSeconds: 100, reauthInSeconds: 200, localIsInitiator: true });
    expect(sa!.children[0]).toMatchObject({
      state: "REKEYED", udpEncapsulated: false, rekeyInSeconds: null, expiresInSeconds: 50,
      inbound: { lastPacketSecondsAgo: null, packets: 0 }, localTs: ["10.0.1.0/24", "10.0.3.0/24"],
    });
  });
});
