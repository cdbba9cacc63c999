// racoon's log lines in ipsec-tools' own wording (src/racoon: isakmp.c "initiate/respond
// new phase 1 negotiation: %s<=>%s", "ISAKMP-SA established %s-%s spi:%s"; oakley.c
// "HASH mismatched"; "couldn't find the pskey for %s."), as its -l log file, syslog and
// journald show them. The namespace lab's CentOS routers run charon in racoon's place
// (e2e/lab/centos-racoon/racoon.sh), so no racoon log can be recorded there.
import { describe, expect, it } from "vitest";
import type { TunnelEnd } from "../contract";
import { centosFailureLogCommands } from "./commands";
import { lastRacoonAuthFailure, parseRacoonFailureLog } from "./parse-racoon-log";
import { centosRacoonPlatform } from "./platform";

const HQ = "198.18.163.11";
const B1 = "198.18.163.12";
const B2 = "198.18.163.13";
const fileLog = `2026-12-06 19:40:17: INFO: initiate new phase 1 negotiation: ${HQ}[500]<=>${B1}[500]
2026-12-06 19:40:17: INFO: begin Identity Protection mode.
2026-12-06 19:40:17: INFO: received Vendor ID: DPD
2026-12-06 19:40:18: ERROR: HASH mismatched
2026-12-06 19:40:18: ERROR: fatal INVALID-HASH-INFORMATION notify messsage, phase1 should be deleted.`;
const established = `2026-12-06 19:41:02: INFO: ISAKMP-SA established ${HQ}[500]-${B1}[500] spi:0c1d2e3f4a5b6c7d:8e9f0a1b2c3d4e5f`;

describe("racoon's log: why a CentOS tunnel is down", () => {
  it("HASH mismatched in the negotiation with this peer", () => {
    expect(lastRacoonAuthFailure(fileLog, B1)).toEqual({ text: "HASH mismatched", at: "2026-12-06 19:40:18", missingKey: false });
  });

  it("a mismatch while negotiating with another peer is not this tunnel's", () => {
    expect(lastRacoonAuthFailure(fileLog, B2)).toBeNull();
    const other = `2026-12-06 19:40:19: INFO: respond new phase 1 negotiation: ${HQ}[500]<=>${B2}[500]\n2026-12-06 19:40:19: ERROR: HASH mismatched`;
    expect(lastRacoonAuthFailure(`${established}\n${other}`, B1)).toBeNull();
    expect(lastRacoonAuthFailure(`${established}\n${other}`, B2)).not.toBeNull();
  });

  it("a later ISAKMP-SA established with the peer clears it", () => {
    expect(lastRacoonAuthFailure(`${fileLog}\n${established}`, B1)).toBeNull();
    expect(lastRacoonAuthFailure(`${established}\n${fileLog}`, B1)).not.toBeNull();
  });

  it("no key for the peer at all", () => {
    expect(lastRacoonAuthFailure(`2026-12-06 19:40:17: ERROR: couldn't find the pskey for ${B1}.`, B1)).toMatchObject({ missingKey: true });
    expect(lastRacoonAuthFailure(`2026-12-06 19:40:17: ERROR: couldn't find the pskey for ${B2}.`, B1)).toBeNull();
  });

  it("syslog's messages (other daemons' lines skipped) and journald", () => {
    const syslog = fileLog
      .split("\n")
      .map((l) => `Dec  6 ${l.slice(11, 19)} hq racoon: ${l.slice(21)}`)
      .join("\n");
    const noisy = `Dec  6 19:40:18 hq kernel: HASH mismatched\n${syslog}`;
    expect(lastRacoonAuthFailure(noisy, B1)).toEqual({ text: "HASH mismatched", at: "Dec  6 19:40:18", missingKey: false });
    expect(
      lastRacoonAuthFailure(
        `Dec 06 19:40:17 hq racoon[812]: INFO: initiate new phase 1 negotiation: ${HQ}[500]<=>${B1}[500]\nDec 06 19:40:18 hq racoon[812]: ERROR: HASH mismatched`,
        B1,
      )?.at,
    ).toBe("Dec 06 19:40:18");
    expect(lastRacoonAuthFailure(`Dec  6 19:40:18 hq charon: HASH mismatched`, B1)).toBeNull();
  });

  it("the health reason, through the platform", () => {
    const end = { connectionName: "ipsec0", remote: { publicIp: B1 } } as TunnelEnd;
    expect(
      centosRacoonPlatform.parseFailureLog(end, [
        { stdout: "", exitCode: 1 },
        { stdout: fileLog, exitCode: 0 },
      ]),
    ).toBe("AUTH_FAILED: the pre-shared keys of the two ends differ (racoon at 2026-12-06 19:40:18: HASH mismatched)");
    expect(parseRacoonFailureLog(end, [{ stdout: "", exitCode: 1 }])).toBeNull();
    expect(centosRacoonPlatform.failureLogCommands()).toEqual(centosFailureLogCommands());
    for (const c of centosFailureLogCommands()) expect(c).toMatchObject({ scope: "router", allowFailure: true });
  });
});
