import { describe, expect, it } from "vitest";
import { ARTICLE_NET_TO_NET } from "../centos-racoon/article-fixtures";
import {
  libreswanApplyCommands,
  libreswanKeySwitch,
  libreswanReloadCommands,
  libreswanSaListCommands,
  libreswanStatusCommands,
  libreswanTeardownCommands,
} from "./commands";

const end = ARTICLE_NET_TO_NET;
const shape = (c: { argv: string[]; scope?: string; allowFailure?: boolean; needsPeer?: boolean }) => [
  c.argv.join(" "),
  c.scope ?? "tunnel",
  c.allowFailure ?? false,
  c.needsPeer ?? false,
];

describe("libreswan commands", () => {
  it("applies by re-adding the conn, rereading every secret once per router, then initiating once the peer has it", () => {
    expect(libreswanApplyCommands(end).map(shape)).toEqual([
      ["ipsec auto --add gw-article-net", "tunnel", false, false],
      ["ipsec auto --rereadsecrets", "router", false, false],
      // Like swanctl --initiate: an existing SA or a slow peer is not a failure; the status decides.
      ["ipsec auto --asynchronous --up gw-article-net", "tunnel", true, true],
    ]);
  });

  it("tears down by deleting the conn (tolerating one that is not loaded) and reloads by rereading the secrets", () => {
    expect(libreswanTeardownCommands(end).map(shape)).toEqual([["ipsec auto --delete gw-article-net", "tunnel", true, false]]);
    expect(libreswanReloadCommands().map(shape)).toEqual([["ipsec auto --rereadsecrets", "router", false, false]]);
  });

  it("switches keys by rereading the secrets, then down (must succeed) and up: there is no reauthentication to ask for", () => {
    expect(libreswanKeySwitch.load(end).map(shape)).toEqual([["ipsec auto --rereadsecrets", "router", false, false]]);
    expect(libreswanKeySwitch.reauthenticate(end)).toEqual([]);
    expect(libreswanKeySwitch.stop(end).map(shape)).toEqual([["ipsec auto --down gw-article-net", "tunnel", false, false]]);
    expect(libreswanKeySwitch.start(end).map(shape)).toEqual([["ipsec auto --asynchronous --up gw-article-net", "tunnel", true, false]]);
  });

  it("reads states, traffic, kernel SAs without their keys, and every routing table", () => {
    expect(libreswanStatusCommands().map((c) => c.argv.join(" "))).toEqual([
      "ipsec whack --showstates",
      "ipsec whack --trafficstatus",
      "ip -s xfrm state list nokeys",
      "ip route list table all",
    ]);
    expect(libreswanSaListCommands()).toEqual(libreswanStatusCommands().slice(0, 3));
    for (const c of libreswanStatusCommands()) expect(c.allowFailure ?? false).toBe(false);
  });
});
