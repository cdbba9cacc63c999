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
    expect(b1).toMatchObject({ state: "up", ikeSa: { name: "gw-t1", version: 2 }, routes: [{ destination: "192.168.2.0/24", table: "220", dev: "ipsec0" }] });
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
    const routes = { stdout: JSON.stringify([{ dst: "192.168.2.0/24", dev: "ipsec0", table: "220", protocol: "static", flags: [] }]), exitCode: 0 };
    const end = readCase("strongswan", "up").ends.hq!.end;
    expect(parseStrongswanStatus(end, [{ stdout: "list-sas reply {}\n", exitCode: 0 }, routes])).toMatchObject({ state: "configured", saText: "(no security association for this tunnel)" });
    expect(parseStrongswanStatus(end, [{ stdout: "", exitCode: 1 }, { stdout: "[]", exitCode: 0 }]).state).toBe("down");
  });
});
