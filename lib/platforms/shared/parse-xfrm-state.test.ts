import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseXfrmStates } from "./parse-xfrm-state";

// Constructed from iproute2's source (see ../libreswan/__fixtures__/README.md), to be replaced by VM lab recordings.
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "..", "libreswan", "__fixtures__", name), "utf8");

describe("parseXfrmStates", () => {
  it("reads each kernel SA's SPI, reqid, mode, algorithms, NAT encapsulation and counters", () => {
    const states = parseXfrmStates(fixture("xfrm-state-ikev2-net-to-net.txt"));
    expect(states.map((s) => [s.source, s.destination, s.spi, s.encapsulation])).toEqual([
      ["198.18.1.1", "198.18.3.1", "5e1d0c7a", "espinudp"],
      ["198.18.3.1", "198.18.1.1", "d2f4a991", "espinudp"],
      ["198.18.1.1", "198.18.2.1", "c4d0e2a1", null],
      ["198.18.2.1", "198.18.1.1", "09b27f3e", null],
    ]);
    expect(states[3]).toEqual({
      source: "198.18.2.1", destination: "198.18.1.1", protocol: "esp", spi: "09b27f3e", reqid: 16389, mode: "tunnel",
      algorithms: ["hmac(sha256)", "cbc(aes)"], encapsulation: null, bytes: 252, packets: 3,
    });
  });

  it("reads IPComp and 3DES states, and the output of ip without -s", () => {
    const states = parseXfrmStates(fixture("xfrm-state-ikev1-aggressive.txt"));
    expect(states.map((s) => [s.protocol, s.spi, s.mode, s.algorithms.join("/"), s.packets])).toEqual([
      ["esp", "7a3b2c1d", "transport", "hmac(sha1)/cbc(des3_ede)", 4],
      ["esp", "e5f60718", "transport", "hmac(sha1)/cbc(des3_ede)", 4],
      ["comp", "0000a1b2", "tunnel", "deflate", 4],
    ]);
    const plain = "src 198.18.1.1 dst 198.18.2.1\n\tproto esp spi 0xc4d0e2a1 reqid 16389 mode tunnel\n\treplay-window 0 flag af-unspec\n\tauth-trunc hmac(sha256) <<Keys hidden>> 128\n";
    expect(parseXfrmStates(plain)).toEqual([expect.objectContaining({ spi: "c4d0e2a1", reqid: 16389, bytes: null, packets: null })]);
  });

  it("keeps algorithm names only, never key material", () => {
    const withKeys = "src 1.1.1.1 dst 2.2.2.2\n\tproto esp spi 0x00000100(256) reqid 1(0x00000001) mode tunnel\n\tenc cbc(aes) 0x00112233445566778899aabbccddeeff (128 bits)\n";
    const [s] = parseXfrmStates(withKeys);
    expect(JSON.stringify(s)).not.toContain("00112233");
    expect(s!.algorithms).toEqual(["cbc(aes)"]);
  });
});
