import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RenderError, type TunnelEnd } from "../contract";
import { BUILT_IN_PROFILES, MODERN_IKEV1_PROFILE, MODERN_PROFILE } from "../crypto-profiles";
import { renderGatewayFiles } from "../gateway-files";
import { centosApplyCommands } from "./commands";
import { centosRacoonPlatform } from "./platform";
import { checkRacoonConfig } from "./racoon-grammar";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "./article-fixtures";
import { parseIfcfg } from "./parse";
import { previewCentosFiles, racoonLifetime, renderCentosFiles, renderIfcfg } from "./render";

// UPDATE_GOLDEN=1 rewrites the golden files; review the diff before committing.
function expectGolden(dir: string, files: { path: string; content: string }[]) {
  for (const f of files) {
    const golden = path.join(import.meta.dirname, "__golden__", dir, path.basename(f.path));
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(path.dirname(golden), { recursive: true });
      writeFileSync(golden, f.content);
    }
    expect(f.content, golden).toBe(readFileSync(golden, "utf8"));
  }
}

/** The article's listings, typos fixed (stray ', Bdh_group, missing ; after include). */
const LISTING_1 = "DST=198.18.0.2\nTYPE=IPSEC\nONBOOT=yes\nIKE_METHOD=PSK";
const LISTING_6 =
  "TYPE=IPSEC\nONBOOT=yes\nIKE_METHOD=PSK\nSRCGW=192.168.1.254\nDSTGW=192.168.2.254\nSRCNET=192.168.1.0/24\nDSTNET=192.168.2.0/24\nDST=198.18.2.1";
const remoteListing = (dst: string) =>
  `;\nremote ${dst}\n{\n    exchange_mode aggressive, main;\n    my_identifier address;\n    proposal {\n        encryption_algorithm 3des;\n        hash_algorithm sha1;\n        authentication_method pre_shared_key;\n        dh_group 2 ;\n    }\n}`;
const racoonListing = (dst: string) =>
  `# Racoon IKE daemon configuration file.\n\n# See 'man racoon.conf' for a description of the format and entries.\n\npath include "/etc/racoon";\npath pre_shared_key "/etc/racoon/psk.txt";\npath certificate "/etc/racoon/certs";\n\nsainfo anonymous\n{\n  pfs_group 2;\n  lifetime time 1 hour ;\n  encryption_algorithm 3des, blowfish 448, rijndael ;\n  authentication_algorithm hmac_sha1, hmac_md5 ;\n  compression_algorithm deflate ;\n}\ninclude "/etc/racoon/${dst}.conf";`;

/** Same statements, ignoring indentation, blank lines and the listings' " ;" spacing. */
const statements = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim().replace(/\s+;$/, ";").replace(/\s+/g, " "))
    .filter((l) => l !== "");

/** Every statement of the listing appears in the rendered file, in the listing's order. */
function expectContainsInOrder(rendered: string, listing: string) {
  const got = statements(rendered);
  let at = 0;
  for (const want of statements(listing)) {
    const found = got.indexOf(want, at);
    expect(found, `missing or out of order: ${want}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

/** What ifup-ipsec writes to <DST>.conf for the article's profile, byte for byte (ifup-ipsec:215-231, tabs as in its heredoc). */
const ifupRemote = (dst: string) =>
  `remote ${dst}\n{\n\texchange_mode aggressive, main;\n\tmy_identifier address;\n\tproposal {\n\t        encryption_algorithm 3des;\n\t\thash_algorithm sha1;\n\t\tauthentication_method pre_shared_key;\n\t\tdh_group 2;\n\t}\n}\n`;

const byName = (files: { path: string; content: string }[], name: string) => files.find((f) => f.path.endsWith(name))!.content;

describe("centos-racoon render: the article's node-to-node scenario", () => {
  const files = renderCentosFiles(ARTICLE_NODE_TO_NODE);
  const preview = previewCentosFiles(ARTICLE_NODE_TO_NODE);

  it("matches the golden files", () => {
    expectGolden("node-to-node", files);
    expectGolden(
      "node-to-node/preview",
      preview.filter((f) => !f.path.endsWith("racoon.conf")),
    );
  });

  it("renders Listing 1 (plus SRC and AH_PROTO; no exchange-mode variable, which ifup never reads), Listing 2 and no sysctl file", () => {
    const vars = parseIfcfg(byName(files, "ifcfg-ipsec0"));
    expect(vars).toMatchObject(parseIfcfg(LISTING_1));
    expect(Object.keys(vars).sort()).toEqual(["AH_PROTO", "DST", "IKE_METHOD", "ONBOOT", "SRC", "TYPE"]);
    expect(byName(files, "keys-ipsec0")).toBe("IKE_PSK=my_key\n");
    expect(files.find((f) => f.path.endsWith("keys-ipsec0"))).toMatchObject({ mode: 0o600, secret: true });
    expect(files.map((f) => f.path)).not.toContain("/etc/sysctl.d/90-gatewarden-ipsec.conf");
  });

  it("renders Listings 4 and 3, and previews the psk.txt line", () => {
    expectContainsInOrder(byName(files, "racoon.conf"), racoonListing("198.18.0.2"));
    // Listing 3 without its first line: the stray `;` is a racoon syntax error, and ifup writes none.
    expect(statements(byName(files, "198.18.0.2.conf"))).toEqual(statements(remoteListing("198.18.0.2")).slice(1));
    expect(byName(preview, "psk.txt")).toBe("198.18.0.2  my_key\n");
  });
});

describe("centos-racoon render: the article's network-to-network scenario", () => {
  const files = renderCentosFiles(ARTICLE_NET_TO_NET);
  const preview = previewCentosFiles(ARTICLE_NET_TO_NET);

  it("matches the golden files", () => {
    expectGolden("net-to-net", files);
    expectGolden(
      "net-to-net/preview",
      preview.filter((f) => !f.path.endsWith("racoon.conf")),
    );
  });

  it("renders Listing 6 and the key file", () => {
    const vars = parseIfcfg(byName(files, "ifcfg-ipsec1"));
    expect(vars).toMatchObject({ ...parseIfcfg(LISTING_6), SRC: "198.18.1.1", AH_PROTO: "none" });
    expect(vars).not.toHaveProperty("IKE_ENC"); // the article's algorithms are the initscripts defaults
    expect(byName(files, "keys-ipsec1")).toBe("IKE_PSK=r3dh4t11nux\n");
  });

  it("renders Listings 7 and 8, and turns on forwarding", () => {
    expectContainsInOrder(byName(files, "racoon.conf"), racoonListing("198.18.2.1"));
    expect(statements(byName(files, "198.18.2.1.conf"))).toEqual(statements(remoteListing("198.18.2.1")).slice(1));
    expect(byName(files, "90-gatewarden-ipsec.conf")).toContain("\nnet.ipv4.ip_forward = 1\n");
    expect(preview.find((f) => f.path === "/etc/racoon/racoon.conf")!.content).toBe('include "/etc/racoon/198.18.2.1.conf";\n');
  });
});

describe("centos-racoon render: profiles and limits", () => {
  const strongProfile = {
    ...MODERN_PROFILE,
    ikeVersion: 1 as const,
    exchangeModes: ["main" as const],
    esp: { ...MODERN_PROFILE.esp, pfsGroup: 14 as const },
    ikeLifetimeSeconds: 28_800,
  };
  const modernV1: TunnelEnd = {
    ...ARTICLE_NET_TO_NET,
    profile: { ...strongProfile, ike: { encryption: "aes256", integrity: "sha256", dhGroup: 14 } },
  };

  it("emits algorithm variables only when they differ from the initscripts defaults", () => {
    const vars = parseIfcfg(renderCentosFiles(modernV1)[0]!.content);
    expect(vars).toMatchObject({ IKE_ENC: "aes 256", IKE_AUTH: "sha256", IKE_DHGROUP: "14" });
    expect(vars).not.toHaveProperty("IKE_EXCHANGE_MODE");
    expect(renderCentosFiles(modernV1)[0]!.content).toContain('IKE_ENC="aes 256"\n');
    const racoon = renderCentosFiles(modernV1)[2]!.content;
    expect(racoon).toContain("  encryption_algorithm aes 256;\n  authentication_algorithm hmac_sha256;\n");
  });

  it("quotes a typed PSK that bash would otherwise expand", () => {
    expect(renderCentosFiles({ ...ARTICLE_NODE_TO_NODE, psk: "a&b~c(d)" })[1]!.content).toBe('IKE_PSK="a&b~c(d)"\n');
  });

  it("refuses IKEv2, several subnets per side, a LAN address outside its subnet and 0x keys", () => {
    const cases: [TunnelEnd, string][] = [
      [{ ...ARTICLE_NET_TO_NET, profile: MODERN_PROFILE }, "profile.ikeVersion"],
      [
        { ...ARTICLE_NET_TO_NET, remote: { ...ARTICLE_NET_TO_NET.remote, subnets: ["192.168.2.0/24", "192.168.3.0/24"] } },
        "remote.subnets",
      ],
      [{ ...ARTICLE_NET_TO_NET, local: { ...ARTICLE_NET_TO_NET.local, lanAddress: "192.168.9.254" } }, "local.lanAddress"],
      [{ ...ARTICLE_NODE_TO_NODE, psk: "0xdeadbeef" }, "psk"],
    ];
    for (const [end, field] of cases) {
      expect(() => renderCentosFiles(end)).toThrow(RenderError);
      try {
        renderCentosFiles(end);
      } catch (e) {
        expect((e as RenderError).field).toBe(field);
      }
    }
  });

  it("refuses DH groups racoon does not have (19–21 are ECP; racoon has MODP only), for IKE and for PFS", () => {
    for (const group of [19, 20, 21] as const) {
      const ike = { ...MODERN_IKEV1_PROFILE, ike: { ...MODERN_IKEV1_PROFILE.ike, dhGroup: group } };
      const pfs = { ...MODERN_IKEV1_PROFILE, esp: { ...MODERN_IKEV1_PROFILE.esp, pfsGroup: group } };
      for (const [profile, field] of [
        [ike, "profile.ike.dhGroup"],
        [pfs, "profile.esp.pfsGroup"],
      ] as const) {
        const error = (() => {
          try {
            renderCentosFiles({ ...ARTICLE_NET_TO_NET, profile });
          } catch (e) {
            return e;
          }
        })();
        expect(error, `${field} ${group}`).toBeInstanceOf(RenderError);
        expect((error as RenderError).field).toBe(field);
        expect((error as RenderError).message).toMatch(new RegExp(`racoon has no DH group ${group} \\(ecp\\d+\\)`));
      }
    }
  });

  it("tells a two-subnet site what it can do: the advice of one tunnel per subnet pair cannot be followed (one tunnel per peer)", () => {
    const two = { ...ARTICLE_NET_TO_NET, remote: { ...ARTICLE_NET_TO_NET.remote, subnets: ["192.168.2.0/24", "192.168.3.0/24"] } };
    const message = (() => {
      try {
        renderCentosFiles(two);
      } catch (e) {
        return (e as RenderError).message;
      }
    })();
    expect(message).not.toMatch(/one tunnel per subnet pair/);
    expect(message).toMatch(/one tunnel per peer/);
    expect(message).toMatch(/192\.168\.2\.0\/23 is the smallest network holding 192\.168\.2\.0\/24 and 192\.168\.3\.0\/24/);
    expect(message).toMatch(/strongswan platform/);
  });

  it("refuses a phase-1 lifetime other than racoon's 8 hours: ifup writes none, so racoon would use its default", () => {
    const profile = { ...MODERN_IKEV1_PROFILE, ikeLifetimeSeconds: 3600 };
    expect(() => renderCentosFiles({ ...ARTICLE_NET_TO_NET, profile })).toThrow(RenderError);
    try {
      renderCentosFiles({ ...ARTICLE_NET_TO_NET, profile });
    } catch (e) {
      expect((e as RenderError).field).toBe("profile.ikeLifetimeSeconds");
      expect((e as RenderError).message).toMatch(/28800 s/);
    }
    expect(() => renderCentosFiles({ ...ARTICLE_NET_TO_NET, profile: { ...profile, ikeLifetimeSeconds: 28_800 } })).not.toThrow();
  });

  it("says in ifcfg-ipsecN that AH is off and what that means for a peer configured from the article", () => {
    const ifcfg = renderIfcfg(ARTICLE_NET_TO_NET);
    for (const words of ["ifup-ipsec turns AH on unless AH_PROTO=none", "set up by hand from the article", "will not interoperate"])
      expect(ifcfg).toContain(words);
  });

  it("writes racoon lifetimes in the largest exact unit", () => {
    expect([racoonLifetime(3600), racoonLifetime(5400), racoonLifetime(301)]).toEqual(["1 hour", "90 min", "301 sec"]);
  });
});

/** The article's remote block (Listing 8 without its stray `;`): a peer file racoon accepts. */
const peerFile = (dst: string) => remoteListing(dst).slice(2);

describe("centos-racoon render: racoon accepts what it is given", () => {
  it("<DST>.conf is what ifup writes: no leading `;` line (a racoon syntax error), ifup's layout, accepted by racoon", () => {
    for (const end of [ARTICLE_NODE_TO_NODE, ARTICLE_NET_TO_NET]) {
      const dst = end.remote.publicIp;
      const remote = renderCentosFiles(end).find((f) => f.path === `/etc/racoon/${dst}.conf`)!.content;
      expect(remote).toBe(ifupRemote(dst));
      const racoon = byName(renderCentosFiles(end), "racoon.conf");
      expect(checkRacoonConfig({ "/etc/racoon/racoon.conf": racoon, [`/etc/racoon/${dst}.conf`]: remote }).error).toBeNull();
    }
  });

  const ikev1 = BUILT_IN_PROFILES.filter((p) => p.ikeVersion === 1);

  it("racoon.conf of every IKEv1 profile has the compression_algorithm racoon requires in sainfo, even when the profile offers no IPComp", () => {
    for (const profile of [...ikev1, { ...MODERN_IKEV1_PROFILE, esp: { ...MODERN_IKEV1_PROFILE.esp, compression: null } }]) {
      const racoon = byName(renderCentosFiles({ ...ARTICLE_NET_TO_NET, profile }), "racoon.conf");
      const check = checkRacoonConfig({ "/etc/racoon/racoon.conf": racoon, "/etc/racoon/198.18.2.1.conf": peerFile("198.18.2.1") });
      expect(check.error, profile.name).toBeNull();
      expect(racoon, profile.name).toContain("  compression_algorithm deflate;\n");
    }
  });
});

describe("centos-racoon render: racoon's first start and its exchange mode", () => {
  const hubEnd = (n: number): TunnelEnd => ({
    ...ARTICLE_NET_TO_NET,
    tunnelId: `t${n}`,
    connectionName: `gw-t${n}`,
    interfaceName: `ipsec${n}`,
    profile: MODERN_IKEV1_PROFILE,
    remote: { publicIp: `198.18.2.${n + 1}`, lanAddress: `192.168.${20 + n}.254`, subnets: [`192.168.${20 + n}.0/24`] },
  });

  it("a hub's racoon starts on the pushed files alone: every <DST>.conf racoon.conf includes is pushed with it, before any ifup", () => {
    const files = renderGatewayFiles(centosRacoonPlatform, [hubEnd(0), hubEnd(1), hubEnd(2)]);
    const check = checkRacoonConfig(new Map(files.map((f) => [f.path, f.content])));
    expect(check.error).toBeNull();
    expect(check.remotes.map((r) => r.address)).toEqual(["198.18.2.1", "198.18.2.2", "198.18.2.3"]);
  });

  it("racoon starts in the profile's first mode: <DST>.conf is pushed and touched after the upload, so ifup (which rewrites it only when older than ifcfg) keeps it", () => {
    const end = hubEnd(0);
    const remote = renderCentosFiles(end).find((f) => f.path === "/etc/racoon/198.18.2.1.conf");
    expect(remote).toMatchObject({ scope: "tunnel", secret: false, mode: 0o644 });
    expect(remote!.content).toContain("\texchange_mode main;\n");
    const files = Object.fromEntries(renderCentosFiles(end).map((f) => [f.path, f.content]));
    expect(checkRacoonConfig(files).remotes[0]!.exchangeModes[0]).toBe("main");
    const argv = centosApplyCommands(end).map((c) => c.argv.join(" "));
    const touch = argv.indexOf("touch -c /etc/racoon/198.18.2.1.conf");
    expect(touch).toBeGreaterThan(argv.indexOf("/sbin/ifdown ipsec0"));
    expect(touch).toBeLessThan(argv.indexOf("/sbin/ifup ipsec0"));
    expect(previewCentosFiles(end).map((f) => f.path)).not.toContain("/etc/racoon/198.18.2.1.conf");
  });
});
