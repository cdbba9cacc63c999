import { describe, expect, it } from "vitest";
import { getPlatform } from "@/lib/platforms";
import type { TunnelEnd } from "@/lib/platforms/contract";
import { ARTICLE_LEGACY_PROFILE, MODERN_IKEV1_PROFILE } from "@/lib/platforms/crypto-profiles";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { describeFile, gatewayApplyCommands, renderInstallText } from "./install-text";

const end = (n: number): TunnelEnd => ({
  tunnelId: `t${n}`,
  connectionName: `gw-t${n}`,
  kind: "net-to-net",
  interfaceName: `ipsec${n}`,
  local: { publicIp: "198.18.0.10", lanAddress: "192.168.1.254", subnets: ["192.168.1.0/24"] },
  remote: { publicIp: `198.18.0.${20 + n}`, lanAddress: `192.168.${10 + n}.254`, subnets: [`192.168.${10 + n}.0/24`] },
  psk: `psk-of-tunnel-${n}-0123456789abcdef`,
  profile: MODERN_IKEV1_PROFILE,
});

const text = (platformId: "centos-racoon" | "strongswan", ends: TunnelEnd[]) => {
  const platform = getPlatform(platformId);
  return renderInstallText({
    gatewayName: "oslo-gw",
    platform,
    ends,
    files: renderGatewayFiles(platform, ends),
    bundleName: "gatewarden-oslo-gw-2026-11-27.tar.gz",
    generatedAt: new Date("2026-11-27T10:00:00Z"),
  });
};

describe("renderInstallText", () => {
  it("states the non-default strongSwan setting an aggressive-mode PSK tunnel brings, and ships its drop-in; not otherwise", () => {
    const aggressive = { ...end(1), profile: ARTICLE_LEGACY_PROFILE };
    const t = text("strongswan", [end(0), aggressive]);
    expect(t).toMatch(/0644 {2}etc\/strongswan\.d\/gatewarden-aggressive-psk\.conf +non-default charon setting/);
    expect(t).toContain("NON-DEFAULT SETTING: a tunnel here uses IKEv1 aggressive mode with a pre-shared key");
    expect(t).toContain("charon.i_dont_care_about_security_and_use_aggressive_mode_psk = yes for the whole router");
    // Loaded before the connections that need it.
    expect(t.indexOf("swanctl --reload-settings")).toBeGreaterThan(0);
    expect(t.indexOf("swanctl --reload-settings")).toBeLessThan(t.indexOf("swanctl --initiate --child gw-t1"));
    const plain = text("strongswan", [end(0)]);
    expect(plain).not.toMatch(/NON-DEFAULT|strongswan\.d\/gatewarden|reload-settings/);
  });

  it("lists every file with its mode, marks key files SECRET and warns about the PSKs", () => {
    const t = text("centos-racoon", [end(0), end(1)]);
    expect(t).toMatch(/WARNING: this bundle contains the pre-shared keys/);
    expect(t).toMatch(/0600 {2}etc\/sysconfig\/network-scripts\/keys-ipsec1 +SECRET: pre-shared key of ipsec1/);
    expect(t).toMatch(/0644 {2}etc\/sysconfig\/network-scripts\/ifcfg-ipsec0 +interface definition of ipsec0/);
    expect(t).toMatch(/0644 {2}etc\/racoon\/racoon\.conf +racoon's main configuration/);
    expect(t).toContain("tar -xzpf gatewarden-oslo-gw-2026-11-27.tar.gz -C /");
  });

  it("gives the ifup commands of every tunnel, and the sysctl reload once", () => {
    const t = text("centos-racoon", [end(0), end(1)]);
    const commands = t
      .split("\n")
      .filter((l) => /^ {5}\//.test(l))
      .map((l) => l.trim());
    expect(commands).toEqual([
      "/sbin/sysctl -p /etc/sysctl.d/90-gatewarden-ipsec.conf",
      "/sbin/ifdown ipsec0",
      "/sbin/ifup ipsec0",
      "/sbin/ifdown ipsec1",
      "/sbin/ifup ipsec1",
    ]);
  });

  it("gives `swanctl --load-all` once on a strongswan gateway", () => {
    const t = text("strongswan", [end(0), end(1)]);
    expect(t.match(/^ {5}swanctl --load-all$/gm)).toHaveLength(1);
    expect(t).toContain("swanctl --initiate --child gw-t1 --timeout 10");
    expect(t).toMatch(/0600 {2}etc\/swanctl\/conf\.d\/gw-t0\.secrets\.conf +SECRET: pre-shared key of connection gw-t0/);
    expect(t).not.toContain("psk-of-tunnel");
    // Rotation reauthenticates from either end with make-before-break: the router must have it on.
    expect(t).toContain("`make_before_break = yes` in the charon section");
    expect(text("centos-racoon", [end(0)])).not.toContain("make_before_break");
  });

  it("describes an unknown file by whether it is secret", () => {
    expect(describeFile(getPlatform("strongswan"), { path: "/x", content: "", mode: 0o600, secret: true, scope: "tunnel" })).toBe(
      "holds a pre-shared key",
    );
    expect(gatewayApplyCommands(getPlatform("strongswan"), [])).toEqual([]);
  });
});
