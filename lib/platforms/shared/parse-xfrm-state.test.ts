import { describe, expect, it } from "vitest";
import { readCase } from "../recorded-cases";
import { parseXfrmStates } from "./parse-xfrm-state";

/** What `ip -s xfrm state list nokeys` printed on a lab router (Debian 12's kernel and iproute2 6.1). */
function xfrm(caseName: string, router: string): string {
  const outputs = readCase("libreswan", caseName).samples[0]![1][router]!;
  return outputs.find((r) => r.argv[0] === "ip" && r.argv.includes("xfrm"))!.stdout;
}

describe("parseXfrmStates (recorded)", () => {
  it("reads each kernel SA's SPI, reqid, mode, algorithms and counters (IKEv2 with ESN)", () => {
    const states = parseXfrmStates(xfrm("up", "hq"));
    expect(states).toEqual([
      {
        source: "198.18.103.12",
        destination: "198.18.103.11",
        protocol: "esp",
        spi: "a7191365",
        reqid: 16389,
        mode: "tunnel",
        algorithms: ["hmac(sha256)", "cbc(aes)"],
        encapsulation: null,
        bytes: 252,
        packets: 3,
      },
      {
        source: "198.18.103.11",
        destination: "198.18.103.12",
        protocol: "esp",
        spi: "61373991",
        reqid: 16389,
        mode: "tunnel",
        algorithms: ["hmac(sha256)", "cbc(aes)"],
        encapsulation: null,
        bytes: 252,
        packets: 3,
      },
    ]);
  });

  it("takes the counters from `lifetime current`, not the byte limits pluto sets in `lifetime config`", () => {
    const text = xfrm("up", "hq");
    expect(text).toMatch(/limit: soft \d+\(bytes\)/);
    expect(parseXfrmStates(text).map((s) => s.bytes)).toEqual([252, 252]);
  });

  it("reads transport mode, and IPComp: ESP in transport mode, the comp SA and the kernel's IPIP SA in tunnel mode", () => {
    expect(parseXfrmStates(xfrm("host-to-host", "hq")).map((s) => [s.protocol, s.mode])).toEqual([
      ["esp", "transport"],
      ["esp", "transport"],
    ]);
    const states = parseXfrmStates(xfrm("ikev1-aggressive-ipcomp", "hq"));
    expect(states.map((s) => [s.destination, s.protocol, s.spi, s.mode, s.algorithms.join("/"), s.packets])).toEqual([
      ["198.18.103.11", "esp", "2a396db8", "transport", "hmac(sha256)/cbc(aes)", 3],
      ["198.18.103.11", "comp", "0000079a", "tunnel", "deflate", 0],
      ["198.18.103.11", "4", "c612670c", "tunnel", "", 3],
      ["198.18.103.12", "esp", "2b9264d3", "transport", "hmac(sha256)/cbc(aes)", 3],
      ["198.18.103.12", "comp", "00006d94", "tunnel", "deflate", 3],
      ["198.18.103.12", "4", "c612670b", "tunnel", "", 0],
    ]);
  });

  it("reads NAT traversal's encapsulation and the output of ip without -s", () => {
    // Constructed from iproute2's ip/ipxfrm.c (the lab has no NAT between its routers).
    const natted =
      "src 198.18.1.1 dst 198.18.3.1\n\tproto esp spi 0x5e1d0c7a(1578962042) reqid 16393(0x00004009) mode tunnel\n\tencap type espinudp sport 4500 dport 4500 addr 0.0.0.0\n";
    expect(parseXfrmStates(natted)).toEqual([
      expect.objectContaining({ spi: "5e1d0c7a", encapsulation: "espinudp", bytes: null, packets: null }),
    ]);
  });

  it("keeps algorithm names only, never key material", () => {
    const withKeys =
      "src 1.1.1.1 dst 2.2.2.2\n\tproto esp spi 0x00000100(256) reqid 1(0x00000001) mode tunnel\n\tenc cbc(aes) 0x00112233445566778899aabbccddeeff (128 bits)\n";
    const [s] = parseXfrmStates(withKeys);
    expect(JSON.stringify(s)).not.toContain("00112233");
    expect(s!.algorithms).toEqual(["cbc(aes)"]);
  });
});
