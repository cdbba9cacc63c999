import { describe, expect, it } from "vitest";
import { ARTICLE_NET_TO_NET } from "../centos-racoon/article-fixtures";
import { MODERN_PROFILE } from "../crypto-profiles";

const MODERN_NET = { ...ARTICLE_NET_TO_NET, profile: MODERN_PROFILE };
import {
  strongswanApplyCommands,
  strongswanKeySwitch,
  strongswanReloadCommands,
  strongswanSaListCommands,
  strongswanStatusCommands,
  strongswanTeardownCommands,
} from "./commands";

describe("strongswan commands", () => {
  it("loads everything, then initiates the child tolerating an already-up duplicate", () => {
    expect(strongswanApplyCommands(MODERN_NET).map((c) => [c.argv, c.allowFailure ?? false])).toEqual([
      [["swanctl", "--load-all"], false],
      [["swanctl", "--initiate", "--child", "gw-article-net", "--timeout", "10"], true],
    ]);
  });

  it("an end that says which it is only loads: the initiating end's start_action starts it (no duplicate), the answering end must not initiate", () => {
    for (const initiates of [true, false]) {
      expect(strongswanApplyCommands({ ...MODERN_NET, initiates }).map((c) => c.argv)).toEqual([["swanctl", "--load-all"]]);
    }
  });

  it("reloads strongswan.conf first where the profile allows aggressive mode, so the pushed drop-in takes effect", () => {
    expect(strongswanApplyCommands(ARTICLE_NET_TO_NET).map((c) => [c.argv, c.allowFailure ?? false])).toEqual([
      [["swanctl", "--reload-settings"], false],
      [["swanctl", "--load-all"], false],
      [["swanctl", "--initiate", "--child", "gw-article-net", "--timeout", "10"], true],
    ]);
  });

  it("terminates by IKE SA name and rotates by load-creds + reauth", () => {
    expect(strongswanTeardownCommands(ARTICLE_NET_TO_NET)[0]!.argv).toEqual([
      "swanctl",
      "--terminate",
      "--ike",
      "gw-article-net",
      "--timeout",
      "10",
    ]);
    expect(strongswanKeySwitch.load(ARTICLE_NET_TO_NET).map((c) => [c.argv, c.scope])).toEqual([[["swanctl", "--load-creds"], "router"]]);
    expect(strongswanKeySwitch.reauthenticate(ARTICLE_NET_TO_NET).map((c) => c.argv)).toEqual([
      ["swanctl", "--rekey", "--ike", "gw-article-net", "--reauth"],
    ]);
    expect(strongswanKeySwitch.start(ARTICLE_NET_TO_NET)[0]!.argv).toEqual([
      "swanctl",
      "--initiate",
      "--child",
      "gw-article-net",
      "--timeout",
      "10",
    ]);
  });

  it("loading every connection acts on the whole router, and is how a removed connection is unloaded", () => {
    expect(strongswanApplyCommands(ARTICLE_NET_TO_NET)[0]!.scope).toBe("router");
    expect(strongswanReloadCommands().map((c) => [c.argv, c.scope])).toEqual([[["swanctl", "--load-all"], "router"]]);
  });

  it("reads SAs in vici's raw format and every routing table as JSON", () => {
    const libipsec = { ...ARTICLE_NET_TO_NET, local: { ...ARTICLE_NET_TO_NET.local, ipsecStack: "libipsec" as const } };
    expect(strongswanStatusCommands(libipsec).map((c) => c.argv)).toEqual([
      ["swanctl", "--list-sas", "--raw"],
      ["ip", "-json", "route", "list", "table", "all"],
    ]);
    // A kernel-IPsec router's own SAs are read too, without their keys.
    expect(strongswanStatusCommands(ARTICLE_NET_TO_NET).map((c) => c.argv)[2]).toEqual(["ip", "-s", "xfrm", "state", "list", "nokeys"]);
    expect(strongswanSaListCommands().map((c) => c.argv)).toEqual([["swanctl", "--list-sas", "--raw"]]);
  });
});
