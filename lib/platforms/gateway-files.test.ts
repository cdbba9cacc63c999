import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RenderError, type RenderedFile, type TunnelEnd } from "./contract";
import { ARTICLE_LEGACY_PROFILE, MODERN_IKEV1_PROFILE, MODERN_PROFILE } from "./crypto-profiles";
import { renderGatewayFiles } from "./gateway-files";
import { getPlatform } from "./index";

// UPDATE_GOLDEN=1 rewrites the golden files; review the diff before committing.
function expectGolden(dir: string, files: RenderedFile[]) {
  const root = path.join(import.meta.dirname, "__golden__", "gateway-files", dir);
  for (const f of files) {
    const golden = path.join(root, f.path.replace(/^\//, ""));
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(path.dirname(golden), { recursive: true });
      writeFileSync(golden, f.content);
    }
    expect(f.content, golden).toBe(readFileSync(golden, "utf8"));
  }
}

const HQ = { publicIp: "198.18.0.10", lanAddress: "192.168.1.254", subnets: ["192.168.1.0/24"] };

/** A branch router's end towards HQ (or another peer), seen from the router under test. */
function end(n: number, overrides: Partial<TunnelEnd> = {}): TunnelEnd {
  return {
    tunnelId: `t${n}`,
    // Readable, as lib/rendering/connection-name derives them: gw-<site a>--<site b>-<8 hex>.
    connectionName: `gw-hq--branch${n}-0a1b2c3${n}`,
    kind: "net-to-net",
    interfaceName: `ipsec${n}`,
    local: HQ,
    remote: { publicIp: `198.18.0.${20 + n}`, lanAddress: `192.168.${10 + n}.254`, subnets: [`192.168.${10 + n}.0/24`] },
    psk: `psk-of-tunnel-${n}-0123456789abcdef`,
    profile: MODERN_IKEV1_PROFILE,
    ...overrides,
  };
}

const paths = (files: RenderedFile[]) => files.map((f) => f.path);

describe("renderGatewayFiles on a centos-racoon router with three tunnels", () => {
  const racoon = getPlatform("centos-racoon");
  const ends = [
    end(0),
    end(1),
    end(2, {
      kind: "host-to-host",
      local: { ...HQ, lanAddress: null, subnets: [] },
      remote: { publicIp: "198.18.0.22", lanAddress: null, subnets: [] },
    }),
  ];
  const files = renderGatewayFiles(racoon, ends);

  it("matches the golden files", () => {
    expectGolden("centos-three-tunnels", files);
  });

  it("has every tunnel's ifcfg, keys, peer file and teardown script, and racoon.conf and the sysctl drop-in once", () => {
    expect(paths(files)).toEqual([
      "/etc/racoon/198.18.0.20.conf",
      "/etc/racoon/198.18.0.21.conf",
      "/etc/racoon/198.18.0.22.conf",
      "/etc/racoon/gatewarden/forget-198.18.0.20.sed",
      "/etc/racoon/gatewarden/forget-198.18.0.21.sed",
      "/etc/racoon/gatewarden/forget-198.18.0.22.sed",
      "/etc/racoon/racoon.conf",
      "/etc/sysconfig/network-scripts/ifcfg-ipsec0",
      "/etc/sysconfig/network-scripts/ifcfg-ipsec1",
      "/etc/sysconfig/network-scripts/ifcfg-ipsec2",
      "/etc/sysconfig/network-scripts/keys-ipsec0",
      "/etc/sysconfig/network-scripts/keys-ipsec1",
      "/etc/sysconfig/network-scripts/keys-ipsec2",
      "/etc/sysctl.d/90-gatewarden-ipsec.conf",
    ]);
    expect(files.filter((f) => f.secret).map((f) => f.mode)).toEqual([0o600, 0o600, 0o600]);
  });

  it("carries the include line of every tunnel in racoon.conf, after one sainfo block", () => {
    const conf = files.find((f) => f.path === "/etc/racoon/racoon.conf")!.content;
    expect(conf.match(/^sainfo anonymous$/gm)).toHaveLength(1);
    expect(conf.match(/^include .*$/gm)).toEqual([
      'include "/etc/racoon/198.18.0.20.conf";',
      'include "/etc/racoon/198.18.0.21.conf";',
      'include "/etc/racoon/198.18.0.22.conf";',
    ]);
    expect(conf.endsWith('198.18.0.22.conf";\n')).toBe(true);
  });

  it("renders a single tunnel exactly as the platform does", () => {
    const one = renderGatewayFiles(racoon, [end(0)]);
    expect(one).toEqual([...racoon.render(end(0))].sort((a, b) => a.path.localeCompare(b.path)));
  });

  it("refuses tunnels that need different sainfo blocks, naming both", () => {
    const legacy = end(1, { profile: ARTICLE_LEGACY_PROFILE });
    let error: unknown;
    try {
      renderGatewayFiles(racoon, [end(0), legacy]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RenderError);
    expect((error as RenderError).message).toMatch(/sainfo anonymous/);
    expect((error as RenderError).message).toContain('t0 (ipsec0 → 198.18.0.20, profile "Modern IKEv1 (racoon)")');
    expect((error as RenderError).message).toContain('t1 (ipsec1 → 198.18.0.21, profile "Article (legacy)")');
  });

  it("accepts different phase-1 settings: those live in each tunnel's ifcfg (and ifup's <DST>.conf)", () => {
    const otherPhase1 = end(1, {
      profile: { ...MODERN_IKEV1_PROFILE, name: "Other phase 1", ike: { encryption: "aes128", integrity: "sha256", dhGroup: 14 } },
    });
    expect(() => renderGatewayFiles(racoon, [end(0), otherPhase1])).not.toThrow();
  });

  it("says which tunnel a per-tunnel RenderError comes from", () => {
    expect(() => renderGatewayFiles(racoon, [end(0), end(1, { profile: MODERN_PROFILE })])).toThrow(
      /^Tunnel t1 \(ipsec1 → 198\.18\.0\.21\): centos-racoon speaks IKEv1 only/,
    );
  });

  it("refuses two tunnels that would write the same interface files", () => {
    expect(() => renderGatewayFiles(racoon, [end(0), end(1, { interfaceName: "ipsec0" })])).toThrow(
      /would both write \/etc\/sysconfig\/network-scripts\/ifcfg-ipsec0/,
    );
  });
});

describe("renderGatewayFiles on a strongswan hub with two tunnels", () => {
  const swan = getPlatform("strongswan");
  const files = renderGatewayFiles(swan, [end(0, { profile: MODERN_PROFILE }), end(1)]);

  it("matches the golden files", () => {
    expectGolden("strongswan-two-tunnels", files);
  });

  it("has one connection and one secrets file per tunnel, secrets 0600", () => {
    expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ["/etc/swanctl/conf.d/gw-hq--branch0-0a1b2c30.conf", "644"],
      ["/etc/swanctl/conf.d/gw-hq--branch0-0a1b2c30.secrets.conf", "600"],
      ["/etc/swanctl/conf.d/gw-hq--branch1-0a1b2c31.conf", "644"],
      ["/etc/swanctl/conf.d/gw-hq--branch1-0a1b2c31.secrets.conf", "600"],
    ]);
  });

  it("renders nothing for a gateway without tunnels", () => {
    expect(renderGatewayFiles(swan, [])).toEqual([]);
  });
});
