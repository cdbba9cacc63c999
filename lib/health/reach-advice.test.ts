import { describe, expect, it } from "vitest";
import { unreachedJudgement, type PeerView, type UnreachedEnd } from "./reach-advice";

const branch: UnreachedEnd = {
  gateway: "branch1-gw",
  managementAddress: "198.18.54.12 port 22",
  code: "timeout",
  message: "The gateway at 198.18.54.12 port 22 did not complete the SSH handshake within 10 s. …",
};
const hq = (over: Partial<PeerView>): PeerView => ({ gateway: "hq-gw", saUp: true, why: "", probe: null, ...over });

describe("unreachedJudgement", () => {
  it("peer managed and its SA gone: the tunnel is down, and the far router or its WAN is the suspect, not sshd", () => {
    const j = unreachedJudgement([branch], hq({ saUp: false, why: "no security association and no route" }));
    expect(j.state).toBe("down");
    expect(j.reason).toBe(
      "branch1-gw does not answer on its management address 198.18.54.12 port 22 (SSH timed out); hq-gw can be managed and reports the tunnel down: no security association and no route. branch1-gw itself or its WAN link is the likely cause (power, uplink, cable), not its SSH service alone.",
    );
  });

  it("peer still holds the SA but its probe through the tunnel gets nothing back: down", () => {
    const j = unreachedJudgement(
      [{ ...branch, code: "unreachable" }],
      hq({ probe: { answered: false, text: "probe 192.168.1.254 → 192.168.2.254: 100% loss" } }),
    );
    expect(j.state).toBe("down");
    expect(j.reason).toBe(
      "branch1-gw does not answer on its management address 198.18.54.12 port 22 (connection refused or no route); hq-gw can be managed and still holds the SA, but nothing crosses the tunnel (probe 192.168.1.254 → 192.168.2.254: 100% loss). branch1-gw itself or its WAN link is the likely cause (power, uplink, cable), not its SSH service alone.",
    );
  });

  it("peer's probe crosses the tunnel: only management access is broken, and then sshd is worth checking", () => {
    const j = unreachedJudgement([branch], hq({ probe: { answered: true, text: "probe …: 0% loss" } }));
    expect(j.state).toBe("unreachable");
    expect(j.reason).toMatch(/only management access to branch1-gw is broken\. Check sshd and the SSH address on branch1-gw's page\.$/);
  });

  it("peer reports the SA up and has not probed yet: unreachable, saying the next round checks from the peer", () => {
    const j = unreachedJudgement([branch], hq({}));
    expect(j).toEqual({
      state: "unreachable",
      reason:
        "branch1-gw does not answer on its management address 198.18.54.12 port 22 (SSH timed out); hq-gw can be managed and reports the tunnel up; whether traffic crosses it is checked from hq-gw on the next round.",
    });
  });

  it("neither end answers: nothing is known about the tunnel; Gatewarden's own path is the first suspect", () => {
    const j = unreachedJudgement([{ ...branch, gateway: "hq-gw", managementAddress: "198.18.54.11 port 22" }, branch], null);
    expect(j.state).toBe("unreachable");
    expect(j.reason).toMatch(/^Neither end answers on its management address: hq-gw does not answer .*; branch1-gw does not answer/);
    expect(j.reason).toMatch(/check Gatewarden's own path to the gateways first\.$/);
  });

  it("a gateway that answered but refused us keeps its own message, with the peer's view after it", () => {
    const j = unreachedJudgement(
      [{ gateway: "branch1-gw", code: "host-key-changed", message: "Refused before authenticating: …" }],
      hq({ saUp: false, why: "no security association" }),
    );
    expect(j).toEqual({
      state: "unreachable",
      reason:
        "Host key changed on branch1-gw: Refused before authenticating: … hq-gw can be managed and reports the tunnel down (no security association).",
    });
  });
});
