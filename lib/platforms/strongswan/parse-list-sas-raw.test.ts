import { describe, expect, it } from "vitest";
import type { PlatformId } from "../contract";
import { readCase } from "../recorded-cases";
import { parseListSasRaw, parseViciMessage } from "./parse-list-sas-raw";

/** The SA listing a router printed in a recorded case (lib/platforms/<platform>/__recorded__). */
function listing(platform: PlatformId, name: string, router: string, sample = "sample-1"): string {
  const outputs = readCase(platform, name).samples.find(([s]) => s === sample)![1][router]!;
  return outputs.find((o) => o.argv.join(" ") === "swanctl --list-sas --raw")!.stdout;
}

// One line a lab router printed (strongSwan 5.9.8, kernel-libipsec, after 5 pings), kept
// verbatim here so the full reading is pinned even when the recordings are renewed.
const ESTABLISHED_IKEV2 =
  "list-sa event {gw-t1 {uniqueid=2 version=2 state=ESTABLISHED local-host=198.18.163.11 local-port=4500 local-id=198.18.163.11 remote-host=198.18.163.12 remote-port=4500 remote-id=198.18.163.12 initiator-spi=c19926153ef70ce4 responder-spi=7c515e1e13f07317 nat-remote=yes nat-any=yes encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA2_256_128 prf-alg=PRF_HMAC_SHA2_256 dh-group=ECP_256 established=3 rekey-time=81900 child-sas {gw-t1-1 {name=gw-t1 uniqueid=1 reqid=1 state=INSTALLED mode=TUNNEL protocol=ESP encap=yes spi-in=3fc4e1a9 spi-out=481a24d7 encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA2_256_128 bytes-in=420 packets-in=5 use-in=2 bytes-out=420 packets-out=5 use-out=2 rekey-time=3311 life-time=3957 install-time=3 local-ts=[192.168.1.0/24] remote-ts=[192.168.2.0/24]}}}}\nlist-sas reply {}\n";

describe("parseListSasRaw", () => {
  it("reads an established IKEv2 net-to-net SA with its CHILD SA and traffic counters", () => {
    expect(parseListSasRaw(ESTABLISHED_IKEV2)).toEqual([
      {
        name: "gw-t1",
        uniqueId: 2,
        state: "ESTABLISHED",
        version: 2,
        initiatorSpi: "c19926153ef70ce4",
        responderSpi: "7c515e1e13f07317",
        localIsInitiator: false,
        local: { id: "198.18.163.11", address: "198.18.163.11", port: 4500 },
        remote: { id: "198.18.163.12", address: "198.18.163.12", port: 4500 },
        algorithms: "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
        establishedSecondsAgo: 3,
        rekeyInSeconds: 81900,
        reauthInSeconds: null,
        children: [
          {
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
            outbound: { spi: "481a24d7", bytes: 420, packets: 5, lastPacketSecondsAgo: 2 },
            localTs: ["192.168.1.0/24"],
            remoteTs: ["192.168.2.0/24"],
          },
        ],
      },
    ]);
  });

  it("sees the same SA from both ends: SPIs equal, initiator on one side only, CHILD SPIs swapped", () => {
    for (const platform of ["strongswan"] as const) {
      const [hq] = parseListSasRaw(listing(platform, "up", "hq"));
      const [b1] = parseListSasRaw(listing(platform, "up", "branch1"));
      expect([hq!.initiatorSpi, hq!.responderSpi]).toEqual([b1!.initiatorSpi, b1!.responderSpi]);
      expect(hq!.localIsInitiator).toBe(!b1!.localIsInitiator);
      expect(hq!.children[0]!.inbound!.spi).toBe(b1!.children[0]!.outbound!.spi);
      expect(hq!.version).toBe(platform === "strongswan" ? 2 : 1);
    }
  });

  it("reads a half-open SA that is still connecting: no algorithms, no children, no responder SPI yet", () => {
    const [sa] = parseListSasRaw(listing("strongswan", "connecting", "hq"));
    expect(sa).toMatchObject({
      state: "CONNECTING",
      localIsInitiator: true,
      responderSpi: "0000000000000000",
      local: { id: "%any", port: 500 },
      algorithms: null,
      establishedSecondsAgo: null,
      children: [],
    });
  });

  it("reads both IKE SAs of a reauthentication, in the order listed", () => {
    const sas = parseListSasRaw(listing("strongswan", "rekey-in-progress", "branch1"));
    expect(sas).toHaveLength(2);
    expect(new Set(sas.map((s) => s.name))).toEqual(new Set(["gw-t1"]));
    expect(new Set(sas.map((s) => s.uniqueId)).size).toBe(2);
  });

  it("reads /32 host-to-host selectors", () => {
    const [sa] = parseListSasRaw(listing("strongswan", "host-to-host", "hq"));
    expect(sa!.children[0]!.localTs[0]).toMatch(/^198\.18\.\d+\.\d+\/32$/);
  });

  it("returns no SA for a listing without any", () => {
    expect(parseListSasRaw(listing("strongswan", "down", "hq"))).toEqual([]);
    expect(parseListSasRaw("")).toEqual([]);
  });
});

describe("parseViciMessage", () => {
  it("keeps spaces inside values (a DN identity) and brackets inside list items (selectors with ports)", () => {
    const m = parseViciMessage(
      "list-sa event {c {local-id=C=CH, O=strongSwan, CN=moon uniqueid=7 child-sas {c-1 {local-ts=[10.1.0.0/16[tcp/80] 10.2.0.0/16] remote-ts=[]}}}}",
    );
    const [[name, ike]] = m!.body.entries as [[string, { entries: [string, unknown][] }]];
    expect(name).toBe("c");
    expect(ike.entries.slice(0, 2)).toEqual([
      ["local-id", "C=CH, O=strongSwan, CN=moon"],
      ["uniqueid", "7"],
    ]);
    const sa = parseListSasRaw(
      `list-sa event {c {local-id=C=CH, O=strongSwan, CN=moon uniqueid=7 child-sas {c-1 {local-ts=[10.1.0.0/16[tcp/80] 10.2.0.0/16] remote-ts=[]}}}}`,
    )[0]!;
    expect(sa.local.id).toBe("C=CH, O=strongSwan, CN=moon");
    expect(sa.children[0]).toMatchObject({ name: "c-1", localTs: ["10.1.0.0/16[tcp/80]", "10.2.0.0/16"], remoteTs: [] });
  });

  it("refuses what is not one whole message", () => {
    expect(parseViciMessage("list-sas reply {}")).toEqual({ label: "list-sas reply", body: { entries: [] } });
    expect(parseViciMessage("gw-t1: #3, ESTABLISHED, IKEv2, 1123fc137d07eb33_i b57d919bba33bc07_r*")).toBeNull();
    expect(parseViciMessage("list-sa event {gw {uniqueid=1")).toBeNull();
    expect(parseViciMessage("list-sa event {gw {uniqueid=1}}} trailing}")).toBeNull();
  });
});
