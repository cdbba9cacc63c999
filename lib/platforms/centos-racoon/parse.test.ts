import { describe, expect, it } from "vitest";
import type { CommandResult } from "../contract";
import { readCase } from "../recorded-cases";
import { parseCentosStatus, parseIfcfg } from "./parse";

/** hq's recorded outputs of a case (lib/platforms/centos-racoon/__recorded__): [ip route, swanctl]. */
function recorded(name: string, router = "hq") {
  const c = readCase("centos-racoon", name);
  const [routes, sas] = c.samples[0]![1][router]!;
  return { end: c.ends[router]!.end, routes: routes!, sas: sas! };
}
const noSwanctl: CommandResult = { stdout: "", stderr: "bash: swanctl: command not found", exitCode: 127 };

describe("parseIfcfg", () => {
  it("reads plain and double-quoted assignments, skipping comments and blanks", () => {
    expect(parseIfcfg('# c\n\nTYPE=IPSEC\nIKE_ENC="aes 256"\nIKE_PSK="a&b"\n')).toEqual({ TYPE: "IPSEC", IKE_ENC: "aes 256", IKE_PSK: "a&b" });
  });

  it("refuses anything a shell would interpret", () => {
    for (const bad of ["A=$(id)", "A=`id`", "A=x y", "export A=1", "A='x'", 'A="$HOME"', "A=x;reboot", "A=x&"]) {
      expect(() => parseIfcfg(bad), bad).toThrow();
    }
  });
});

describe("parseCentosStatus", () => {
  it("is up from the route to DSTNET where SAs cannot be listed, configured where they can but none is there, up with an installed SA for the peer", () => {
    const { end, routes, sas } = recorded("up");
    expect(parseCentosStatus(end, [routes, noSwanctl])).toMatchObject({
      state: "up", reason: "route to the remote network installed", canListSas: false, ikeSa: null,
      routes: [{ destination: "192.168.2.0/24" }], saText: "(this router cannot list security associations)",
    });
    expect(parseCentosStatus(end, [routes, { stdout: "list-sas reply {}\n", exitCode: 0 }])).toMatchObject({ state: "configured", canListSas: true, ikeSa: null });
    const up = parseCentosStatus(end, [routes, sas]);
    expect(up).toMatchObject({ state: "up", ikeSa: { name: "ifup-ipsec0", remote: { address: end.remote.publicIp } } });
    expect(up.saText).toMatch(/^ifup-ipsec0 #\d+: ESTABLISHED, IKEv1/);
  });

  it("keeps ifup's route after an ifup that failed to authenticate: configured, nothing up", () => {
    const { end, routes, sas } = recorded("auth-failed");
    expect(parseCentosStatus(end, [routes, sas])).toMatchObject({ state: "configured", routes: [{ destination: "192.168.2.0/24" }] });
  });

  it("is down without the route, and host-to-host needs SA info to be more than down", () => {
    const down = recorded("down");
    expect(parseCentosStatus(down.end, [down.routes, noSwanctl]).state).toBe("down");
    const h2h = recorded("host-to-host");
    expect(parseCentosStatus(h2h.end, [h2h.routes, noSwanctl]).state).toBe("down");
    expect(parseCentosStatus(h2h.end, [h2h.routes, h2h.sas]).state).toBe("up");
  });
});
