import { describe, expect, it } from "vitest";
import { judge, readCase } from "../recorded-cases";
import { strongswanPlatform } from "./platform";
import { parseStrongswanStatus } from "./parse-status";

/** parseStatus of one end of a recorded case (lib/platforms/strongswan/__recorded__). */
const status = (name: string, label: string) => {
  const c = readCase("strongswan", name);
  return judge(strongswanPlatform, c.ends[label]!, c.samples[0]![1]).status;
};

describe("parseStrongswanStatus (recorded outputs)", () => {
  it("finds each tunnel's SA by connection name among a hub's SAs, with its table-220 route", () => {
    const [b1, b2] = [status("hub-two-tunnels", "hq-to-branch1"), status("hub-two-tunnels", "hq-to-branch2")];
    expect(b1).toMatchObject({
      state: "up",
      ikeSa: { name: "gw-t1", version: 2 },
      routes: [{ destination: "192.168.2.0/24", table: "220", dev: "ipsec0" }],
    });
    expect(b2).toMatchObject({ state: "up", ikeSa: { name: "gw-t2" }, routes: [{ destination: "192.168.3.0/24", table: "220" }] });
    expect(b1.ikeSas).toHaveLength(1);
  });

  it("shows only this tunnel's SAs in the readable text, and the routes people need", () => {
    const s = status("hub-two-tunnels", "hq-to-branch1");
    expect(s.saText).toMatch(/^gw-t1 #\d+: ESTABLISHED, IKEv2, SPIs [0-9a-f]{16}_i [0-9a-f]{16}_r/);
    expect(s.saText).toContain("INSTALLED");
    expect(s.saText).not.toContain("gw-t2");
    expect(s.routesText).toMatch(/^192\.168\.2\.0\/24 dev ipsec0 table 220 proto static src 192\.168\.1\.254$/m);
    expect(s.routesText).not.toMatch(/^(local|broadcast) /m);
  });

  it("reads a host-to-host tunnel's /32 route and SA", () => {
    const s = status("host-to-host", "hq");
    expect(s).toMatchObject({ state: "up", ikeSa: { name: "gw-t1" } });
    expect(s.routes[0]).toMatchObject({ destination: expect.stringMatching(/^198\.18\.\d+\.12$/), dev: "ipsec0" });
  });

  it("is not up while connecting, and says why the listing failed when charon is stopped", () => {
    expect(status("connecting", "hq")).toMatchObject({ state: "down", ikeSa: { state: "CONNECTING" } });
    const stopped = status("daemon-stopped", "branch1");
    expect(stopped).toMatchObject({ state: "down", error: expect.stringMatching(/charon\.vici' failed: Connection refused/) });
    expect(stopped.reason).toMatch(/^no security association and no route \(swanctl --list-sas failed: /);
    expect(stopped.saText).toMatch(/^\(swanctl --list-sas failed: /);
  });

  it("is configured with a route but no SA, and down without either", () => {
    const routes = {
      stdout: JSON.stringify([{ dst: "192.168.2.0/24", dev: "ipsec0", table: "220", protocol: "static", flags: [] }]),
      exitCode: 0,
    };
    const end = readCase("strongswan", "up").ends.hq!.end;
    expect(parseStrongswanStatus(end, [{ stdout: "list-sas reply {}\n", exitCode: 0 }, routes])).toMatchObject({
      state: "configured",
      saText: "(no security association for this tunnel)",
    });
    expect(
      parseStrongswanStatus(end, [
        { stdout: "", exitCode: 1 },
        { stdout: "[]", exitCode: 0 },
      ]).state,
    ).toBe("down");
  });
});

describe("parseStrongswanStatus on a kernel-IPsec router", () => {
  // charon's listing of a recorded up tunnel, as if the router did its ESP in the kernel;
  // the kernel's SAs in the format `ip -s xfrm state list nokeys` prints (Debian 12).
  const c = readCase("strongswan", "up");
  const end = { ...c.ends.hq!.end, local: { ...c.ends.hq!.end.local, ipsecStack: "kernel" as const } };
  const [sas, routes] = c.samples[0]![1].hq!;
  const child = parseStrongswanStatus(end, [sas!, routes!]).ikeSa!.children[0]!;
  const xfrm = (spis: string[]) => ({
    exitCode: 0,
    stderr: "",
    stdout: spis
      .map(
        (spi) =>
          `src 198.18.0.1 dst 198.18.0.2\n\tproto esp spi 0x${spi} reqid 1 mode tunnel\n\treplay-window 0 flag af-unspec\n\tlifetime current:\n\t  252(bytes), 3(packets)\n\t  add 2026-12-06 20:00:00 use 2026-12-06 20:00:01\n`,
      )
      .join(""),
  });

  it("asks the kernel for its SAs, and is up when they carry the CHILD SA's SPIs", () => {
    expect(strongswanPlatform.statusCommands(end).map((x) => x.argv.join(" "))).toContain("ip -s xfrm state list nokeys");
    const s = parseStrongswanStatus(end, [sas!, routes!, xfrm([child.inbound!.spi, child.outbound!.spi])]);
    expect(s).toMatchObject({ state: "up", reason: "security association established" });
  });

  it("is not up when charon reports an installed CHILD SA the kernel does not hold", () => {
    const s = parseStrongswanStatus(end, [sas!, routes!, xfrm(["0badc0de"])]);
    expect(s.state).toBe("configured");
    expect(s.reason).toMatch(/^charon reports an installed CHILD SA, but the kernel holds no SA with SPI [0-9a-f]{8}/);
  });
});
