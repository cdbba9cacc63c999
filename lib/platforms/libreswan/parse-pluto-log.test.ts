// pluto's log lines as the VM lab's Libreswan 4.10 routers wrote them when a key was wrong
// (lib/platforms/libreswan/__recorded__/auth-failed/meta.json, ike.log), as syslog and
// journald show them, and Libreswan 3.x's IKEv1 wording (programs/pluto/ikev1.c).
import { describe, expect, it } from "vitest";
import type { TunnelEnd } from "../contract";
import { libreswanFailureLogCommands } from "./commands";
import { lastPlutoAuthFailure, parsePlutoFailureLog } from "./parse-pluto-log";
import { libreswanPlatform } from "./platform";

const hqLog = `Dec  6 20:19:29.635101: "gw-t1" #8: authentication failed: computed hash does not match hash received from peer ID_IPV4_ADDR '198.18.103.12'
Dec  6 20:19:29.635564: "gw-t1" #8: responding to IKE_AUTH message (ID 1) from 198.18.103.12:500 with encrypted notification AUTHENTICATION_FAILED
Dec  6 20:19:31.743123: "gw-t1" #9: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED`;
const branch1Log = `Dec  6 20:19:28.942126: "gw-t1" #7: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED
Dec  6 20:19:31.033119: "gw-t1" #9: authentication failed: computed hash does not match hash received from peer ID_IPV4_ADDR '198.18.103.11'`;
const established = `Dec  6 20:21:02.100000: "gw-t1" #12: established IKE SA; authenticated peer using authby=secret and ID_IPV4_ADDR '198.18.103.12'`;

describe("pluto's log: why a Libreswan tunnel is down", () => {
  it("both ends of the recorded AUTH_FAILED: the last failure of this connection", () => {
    expect(lastPlutoAuthFailure(hqLog, "gw-t1")).toEqual({
      text: "IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED",
      at: "Dec  6 20:19:31",
    });
    expect(lastPlutoAuthFailure(branch1Log, "gw-t1")?.text).toMatch(/^authentication failed: computed hash does not match/);
  });

  it("another connection's failure is not this tunnel's", () => {
    expect(lastPlutoAuthFailure(hqLog, "gw-t2")).toBeNull();
    expect(lastPlutoAuthFailure(hqLog.replace(/"gw-t1"/g, '"gw-t10"'), "gw-t1")).toBeNull();
  });

  it("a later established IKE SA of the connection clears it", () => {
    expect(lastPlutoAuthFailure(`${hqLog}\n${established}`, "gw-t1")).toBeNull();
    expect(lastPlutoAuthFailure(`${established}\n${hqLog}`, "gw-t1")).not.toBeNull();
  });

  it("syslog / journald lines and Libreswan 3.x IKEv1 (main mode) wording", () => {
    const v1 = [
      `Dec  6 20:19:29 hq pluto[812]: "gw-t1" #3: probable authentication failure (mismatch of preshared secrets?): malformed payload in packet`,
      `Dec 06 20:19:40 hq pluto[812]: "gw-t1"[1] 198.18.103.12 #4: STATE_MAIN_I3: 60 second timeout exceeded after 7 retransmits.  Possible authentication failure: no acceptable response to our first encrypted message`,
    ];
    expect(lastPlutoAuthFailure(v1[0]!, "gw-t1")).toMatchObject({ at: "Dec  6 20:19:29" });
    expect(lastPlutoAuthFailure(v1.join("\n"), "gw-t1")?.text).toMatch(/Possible authentication failure/);
    expect(
      lastPlutoAuthFailure(`${v1[0]}\nDec  6 20:20:00 hq pluto[812]: "gw-t1" #5: STATE_MAIN_I4: ISAKMP SA established`, "gw-t1"),
    ).toBeNull();
  });

  it("the health reason, through the platform", () => {
    const end = { connectionName: "gw-t1", remote: { publicIp: "198.18.103.12" } } as TunnelEnd;
    expect(
      libreswanPlatform.parseFailureLog(end, [
        { stdout: "", exitCode: 1 },
        { stdout: `==> /var/log/pluto.log <==\n${hqLog}`, exitCode: 1 },
      ]),
    ).toBe(
      "AUTH_FAILED: the pre-shared keys of the two ends differ (pluto at Dec 6 20:19:31: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED)",
    );
    expect(parsePlutoFailureLog(end, [{ stdout: "", exitCode: 1 }])).toBeNull();
    // Read-only, router-wide, allowed to fail (a file or journald may be missing).
    expect(libreswanPlatform.failureLogCommands()).toEqual(libreswanFailureLogCommands());
    for (const c of libreswanFailureLogCommands()) expect(c).toMatchObject({ scope: "router", allowFailure: true });
    expect(libreswanFailureLogCommands().map((c) => c.argv[0])).toEqual(["journalctl", "tail"]);
  });
});
