import { describe, expect, it } from "vitest";
import { archivePath, buildBundle, bundleFileName } from "./bundle";
import { readBundle } from "./read-bundle";

describe("buildBundle", () => {
  const mtime = new Date("2026-11-27T10:00:00Z");

  it("writes each file at its path without the leading slash, with its mode, owned by root", async () => {
    const gz = await buildBundle(
      [
        { path: "/etc/sysconfig/network-scripts/ifcfg-ipsec0", content: "TYPE=IPSEC\n", mode: 0o644 },
        { path: "/etc/sysconfig/network-scripts/keys-ipsec0", content: "IKE_PSK=Kx7-vQ2_mT9.zR4:pL8@wN3^bH6~\n", mode: 0o600 },
        { path: "INSTALL.txt", content: "read me — ünïcode\n", mode: 0o644 },
      ],
      mtime,
    );
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const entries = await readBundle(gz);
    expect(entries.map((e) => [e.name, e.mode.toString(8), e.uid])).toEqual([
      ["etc/sysconfig/network-scripts/ifcfg-ipsec0", "644", 0],
      ["etc/sysconfig/network-scripts/keys-ipsec0", "600", 0],
      ["INSTALL.txt", "644", 0],
    ]);
    expect(entries[1]!.content).toBe("IKE_PSK=Kx7-vQ2_mT9.zR4:pL8@wN3^bH6~\n");
    expect(entries[2]!.content).toBe("read me — ünïcode\n");
    expect(entries[0]!.mtime.getTime()).toBe(mtime.getTime());
  });

  it("is reproducible for the same files and time", async () => {
    const files = [{ path: "/a/b", content: "x\n", mode: 0o644 }];
    expect((await buildBundle(files, mtime)).equals(await buildBundle(files, mtime))).toBe(true);
  });

  it("packs an empty file set into a valid empty archive", async () => {
    expect(await readBundle(await buildBundle([], mtime))).toEqual([]);
  });

  it("refuses paths that would escape the extraction directory", () => {
    expect(archivePath("/etc/racoon/racoon.conf")).toBe("etc/racoon/racoon.conf");
    for (const bad of ["/", "/etc/../root/.ssh/authorized_keys", "etc//x", "./x"]) expect(() => archivePath(bad)).toThrow(/refusing/);
  });
});

describe("bundleFileName", () => {
  it("names the gateway and the UTC date, and keeps quotes and slashes out of the header", () => {
    expect(bundleFileName("oslo-gw", new Date("2026-11-27T23:30:00Z"))).toBe("gatewarden-oslo-gw-2026-11-27.tar.gz");
    expect(bundleFileName('Odd "name"/../x', new Date("2026-01-02T00:00:00Z"))).toBe("gatewarden-odd-name-..-x-2026-01-02.tar.gz");
    expect(bundleFileName("///", new Date("2026-01-02T00:00:00Z"))).toBe("gatewarden-gateway-2026-01-02.tar.gz");
  });
});
