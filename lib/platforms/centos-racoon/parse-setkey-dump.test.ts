import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSetkeyDump } from "./parse-setkey-dump";

// Constructed from ipsec-tools' source (see __fixtures__/README.md), to be replaced by VM lab recordings.
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");

describe("parseSetkeyDump", () => {
  it("reads each SA's addresses, SPI, mode, algorithms, state, age and bytes", () => {
    const sas = parseSetkeyDump(fixture("setkey-D-net-to-net-after-switch.txt"));
    expect(sas.map((s) => [s.source, s.destination, s.spi, s.state, s.ageSeconds, s.bytes])).toEqual([
      ["198.18.2.1", "198.18.1.1", "0b7c3a11", "mature", 30, 1680],
      ["198.18.1.1", "198.18.2.1", "c41e0923", "mature", 30, 1680],
      ["198.18.2.1", "198.18.1.1", "0a1b2c3d", "dying", 3430, 252000],
      ["198.18.1.1", "198.18.2.1", "d4e5f607", "dying", 3430, 252000],
      ["198.18.1.1", "198.18.3.1", "11223344", "mature", 730, 0],
    ]);
    expect(sas[0]).toEqual({
      source: "198.18.2.1",
      destination: "198.18.1.1",
      protocol: "esp",
      spi: "0b7c3a11",
      reqid: 0,
      mode: "tunnel",
      algorithms: ["aes-cbc", "hmac-sha256"],
      encapsulation: null,
      bytes: 1680,
      packets: null,
      state: "mature",
      ageSeconds: 30,
    });
  });

  it("reads transport mode, NAT-T (esp-udp with ports) and an empty SAD", () => {
    expect(parseSetkeyDump(fixture("setkey-D-host-to-host.txt")).map((s) => [s.mode, s.spi])).toEqual([
      ["transport", "0e0c441e"],
      ["transport", "0aaa749f"],
    ]);
    expect(parseSetkeyDump(fixture("setkey-D-larval-natt.txt"))).toEqual([
      expect.objectContaining({
        source: "198.18.1.1",
        destination: "198.18.2.1",
        protocol: "esp",
        encapsulation: "espinudp",
        state: "larval",
      }),
    ]);
    expect(parseSetkeyDump(fixture("setkey-D-empty.txt"))).toEqual([]);
  });

  it("keeps no key material, even from keys that wrap onto a second line", () => {
    const text = fixture("setkey-D-net-to-net-after-switch.txt");
    expect(text).toContain("\n feedface");
    const parsed = JSON.stringify(parseSetkeyDump(text));
    for (const key of ["0badc0de", "feedface", "5eed5eed"]) expect(parsed).not.toContain(key);
    expect(parseSetkeyDump(text)[4]!.algorithms).toEqual(["3des-cbc", "hmac-sha512"]);
  });
});
