// charon's log lines as the lab routers printed them when a key was wrong
// (lib/platforms/strongswan/__recorded__/auth-failed/meta.json) and as journald shows them.
import { describe, expect, it } from "vitest";
import type { TunnelEnd } from "../contract";
import { lastAuthFailure, parseCharonFailureLog } from "./parse-charon-log";

const HQ = "198.18.163.11";
const B1 = "198.18.163.12";
const initiatorLog = `Dec  6 19:40:17 16[IKE] initiating IKE_SA gw-t1[2] to ${B1}
Dec  6 19:40:17 16[NET] sending packet: from ${HQ}[500] to ${B1}[500] (464 bytes)
Dec  6 19:40:17 05[NET] received packet: from ${B1}[4500] to ${HQ}[4500] (80 bytes)
Dec  6 19:40:17 16[NET] received packet: from ${B1}[4500] to ${HQ}[4500] (80 bytes)
Dec  6 19:40:17 16[ENC] parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]
Dec  6 19:40:17 16[IKE] received AUTHENTICATION_FAILED notify error`;
const responderLog = `Dec  6 19:40:17 10[NET] received packet: from ${HQ}[4500] to ${B1}[4500] (288 bytes)
Dec  6 19:40:17 10[IKE] tried 1 shared key for '${B1}' - '${HQ}', but MAC mismatched
Dec  6 19:40:17 10[ENC] generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]`;
const established = `Dec  6 19:41:02 12[IKE] IKE_SA gw-t1[3] established between ${HQ}[${HQ}]...${B1}[${B1}]`;

describe("charon's log: why a tunnel is down", () => {
  it("the initiator: AUTHENTICATION_FAILED on the thread that last heard from this peer", () => {
    expect(lastAuthFailure(initiatorLog, B1)).toEqual({
      kind: "auth-failed",
      text: "received AUTHENTICATION_FAILED notify error",
      at: "Dec  6 19:40:17",
    });
    expect(lastAuthFailure(initiatorLog, "198.18.163.99")).toBeNull();
  });

  it("the responder: MAC mismatched names the peer itself", () => {
    expect(lastAuthFailure(responderLog, HQ)?.text).toMatch(/MAC mismatched/);
  });

  it("a later established IKE SA with the peer clears it", () => {
    expect(lastAuthFailure(`${initiatorLog}\n${established}`, B1)).toBeNull();
    expect(lastAuthFailure(`${established}\n${initiatorLog}`, B1)).not.toBeNull();
  });

  it("journald's short output", () => {
    const j = initiatorLog
      .split("\n")
      .map((l) => `Dec 06 19:40:17 hq charon-systemd[812]: ${l.slice(16)}`)
      .join("\n");
    expect(lastAuthFailure(j, B1)?.text).toBe("received AUTHENTICATION_FAILED notify error");
  });

  it("the health reason", () => {
    const end = { remote: { publicIp: B1 } } as TunnelEnd;
    expect(
      parseCharonFailureLog(end, [
        { stdout: initiatorLog, exitCode: 0 },
        { stdout: "", exitCode: 1 },
      ]),
    ).toBe(
      "AUTH_FAILED: the pre-shared keys of the two ends differ (charon at Dec 6 19:40:17: received AUTHENTICATION_FAILED notify error)",
    );
    expect(parseCharonFailureLog(end, [{ stdout: "", exitCode: 1 }])).toBeNull();
  });
});
