import { describe, expect, it } from "vitest";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "./article-fixtures";
import { centosApplyCommands, centosKeySwitch, centosStatusCommands, centosTeardownCommands } from "./commands";
import { centosRacoonPlatform } from "./platform";
import { renderCentosFiles } from "./render";

describe("centos-racoon commands", () => {
  it("net-to-net: enables forwarding, then ifdown (may fail), keeps the pushed peer file newer than ifcfg, ifup, and traffic that makes racoon negotiate", () => {
    const commands = centosApplyCommands(ARTICLE_NET_TO_NET);
    expect(commands.map((c) => [c.argv, c.allowFailure ?? false])).toEqual([
      [["/sbin/sysctl", "-p", "/etc/sysctl.d/90-gatewarden-ipsec.conf"], false],
      [["/sbin/ifdown", "ipsec1"], true],
      [["touch", "-c", "/etc/racoon/198.18.2.1.conf"], false],
      [["/sbin/ifup", "ipsec1"], false],
      [["ping", "-n", "-q", "-c", "2", "-i", "0.5", "-W", "1", "-I", "192.168.1.254", "192.168.2.254"], true],
    ]);
    expect(commands.at(-1)!.needsPeer).toBe(true);
  });

  it("host-to-host needs no forwarding; its traffic goes to the peer itself", () => {
    expect(centosApplyCommands(ARTICLE_NODE_TO_NODE).map((c) => c.argv.at(-1))).toEqual([
      "ipsec0",
      "/etc/racoon/198.18.0.2.conf",
      "ipsec0",
      "198.18.0.2",
    ]);
  });

  it("tears down with ifdown, rotates by cycling the interface (then traffic), reads routes and the kernel's SAD", () => {
    expect(centosKeySwitch.load(ARTICLE_NODE_TO_NODE)).toEqual([]);
    expect([...centosKeySwitch.stop(ARTICLE_NODE_TO_NODE), ...centosKeySwitch.start(ARTICLE_NODE_TO_NODE)].map((c) => c.argv)).toEqual([
      ["/sbin/ifdown", "ipsec0"],
      ["/sbin/ifup", "ipsec0"],
      ["ping", "-n", "-q", "-c", "2", "-i", "0.5", "-W", "1", "198.18.0.2"],
    ]);
    expect(centosStatusCommands().map((c) => [c.argv.join(" "), c.allowFailure ?? false])).toEqual([
      ["ip route list table all", false],
      ["setkey -D", false],
    ]);
  });

  it("tells whoever installs a bundle that AH is off and what a hand-configured peer needs", () => {
    expect(centosRacoonPlatform.installNotes([]).join(" ")).toMatch(
      /AH is off \(AH_PROTO=none[^)]*\).*from the article.*will not interoperate until it sets AH_PROTO=none too/,
    );
  });

  it("teardown leaves no key behind: ifdown, then the peer's psk.txt line goes; <DST>.conf and the script are tunnel files the deploy layer removes", () => {
    const end = ARTICLE_NET_TO_NET;
    const own = renderCentosFiles(end).filter((f) => f.scope === "tunnel");
    expect(own.map((f) => f.path)).toEqual(
      expect.arrayContaining(["/etc/racoon/198.18.2.1.conf", "/etc/racoon/gatewarden/forget-198.18.2.1.sed"]),
    );
    const teardown = centosTeardownCommands(end);
    expect(teardown.map((c) => c.argv)).toEqual([
      ["/sbin/ifdown", "ipsec1"],
      ["sed", "-i", "-f", "/etc/racoon/gatewarden/forget-198.18.2.1.sed", "/etc/racoon/psk.txt"],
    ]);
    // The script as GNU sed reads it ([[:space:]] is \s): only the peer's line goes, not 198.18.2.10's nor a key containing the address.
    const script = own
      .find((f) => f.path.endsWith(".sed"))!
      .content.split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(script).toHaveLength(1);
    const [, pattern] = /^\/(.*)\/d$/.exec(script[0]!)!;
    const re = new RegExp(pattern!.replace("[[:space:]]", "\\s"));
    const psk = ["198.18.2.1  r3dh4t11nux", "198.18.2.10  other", "198.18.9.9  key198.18.2.1x", "# 198.18.2.1 comment"];
    expect(psk.filter((line) => !re.test(line))).toEqual(psk.slice(1));
  });
});
