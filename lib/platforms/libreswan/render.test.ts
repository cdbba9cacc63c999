import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RenderError, type CryptoProfile, type TunnelEnd } from "../contract";
import { ARTICLE_LEGACY_PROFILE, MODERN_IKEV1_PROFILE, MODERN_PROFILE } from "../crypto-profiles";
import { ARTICLE_NET_TO_NET, ARTICLE_NODE_TO_NODE } from "../centos-racoon/article-fixtures";
import { espProposal, ikeProposal, libreswanProfileProblems } from "./algorithms";
import { parseIpsecConf, parseIpsecSecrets } from "./parse-ipsec-conf";
import { renderLibreswanFiles } from "./render";

const PSK = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTA";
const MODERN_NET: TunnelEnd = {
  ...ARTICLE_NET_TO_NET,
  tunnelId: "modern-net",
  connectionName: "gw-hq--branch1-0a1b2c3d",
  profile: MODERN_PROFILE,
  psk: PSK,
};
const MODERN_H2H: TunnelEnd = {
  ...ARTICLE_NODE_TO_NODE,
  tunnelId: "modern-h2h",
  connectionName: "gw-hq--branch2-4e5f6071",
  profile: MODERN_PROFILE,
  psk: PSK,
};
/** The article's IKEv1 aggressive proposal with the groups Libreswan has (DH 14 for 2). */
const AGGRESSIVE: CryptoProfile = {
  ...ARTICLE_LEGACY_PROFILE,
  name: "Article on Libreswan",
  ike: { ...ARTICLE_LEGACY_PROFILE.ike, dhGroup: 14 },
  esp: { ...ARTICLE_LEGACY_PROFILE.esp, pfsGroup: 14 },
};
const IKEV1_AGGRESSIVE_NET: TunnelEnd = {
  ...ARTICLE_NET_TO_NET,
  tunnelId: "aggr-net",
  connectionName: "gw-hq--branch3-8293a4b5",
  profile: AGGRESSIVE,
  psk: PSK,
};

function expectGolden(name: string, content: string) {
  const golden = path.join(import.meta.dirname, "__golden__", name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(path.dirname(golden), { recursive: true });
    writeFileSync(golden, content);
  }
  expect(content, golden).toBe(readFileSync(golden, "utf8"));
}

const conn = (end: TunnelEnd) => parseIpsecConf(renderLibreswanFiles(end)[0]!.content)[end.connectionName]!;

function refusal(end: TunnelEnd): RenderError {
  try {
    renderLibreswanFiles(end);
  } catch (e) {
    if (e instanceof RenderError) return e;
    throw e;
  }
  throw new Error("rendered");
}

describe("libreswan render", () => {
  it("matches the golden files: IKEv2 net-to-net, IKEv2 host-to-host transport, IKEv1 aggressive net-to-net", () => {
    for (const [end, dir] of [
      [MODERN_NET, "ikev2-net-to-net"],
      [MODERN_H2H, "ikev2-host-to-host"],
      [IKEV1_AGGRESSIVE_NET, "ikev1-aggressive-net-to-net"],
    ] as const) {
      for (const f of renderLibreswanFiles(end)) expectGolden(`${dir}/${path.basename(f.path)}`, f.content);
    }
  });

  it("writes one conn (0644) and one PSK entry (0600) into /etc/ipsec.d, which the stock files include", () => {
    const [c, s] = renderLibreswanFiles(MODERN_NET);
    expect(c).toMatchObject({ path: "/etc/ipsec.d/gw-hq--branch1-0a1b2c3d.conf", mode: 0o644, secret: false, scope: "tunnel" });
    expect(s).toMatchObject({ path: "/etc/ipsec.d/gw-hq--branch1-0a1b2c3d.secrets", mode: 0o600, secret: true, scope: "tunnel" });
    expect(parseIpsecSecrets(s!.content)).toEqual([{ ids: ["198.18.1.1", "198.18.2.1"], psk: PSK }]);
  });

  it("renders net-to-net IKEv2 with explicit addresses and IDs, one subnet per side and the route source", () => {
    expect(conn(MODERN_NET)).toEqual({
      ikev2: "insist",
      authby: "secret",
      left: "198.18.1.1",
      leftid: "198.18.1.1",
      right: "198.18.2.1",
      rightid: "198.18.2.1",
      type: "tunnel",
      leftsubnet: "192.168.1.0/24",
      leftsourceip: "192.168.1.254",
      rightsubnet: "192.168.2.0/24",
      ike: "aes256-sha2_256;ecp256",
      esp: "aes256-sha2_256;ecp256",
      ikelifetime: "86400s",
      salifetime: "3600s",
      auto: "start",
    });
  });

  it("renders host-to-host as transport mode without subnets or source address", () => {
    const c = conn(MODERN_H2H);
    expect(c.type).toBe("transport");
    expect(Object.keys(c).filter((k) => /subnet|sourceip/.test(k))).toEqual([]);
  });

  it("renders IKEv1: ikev2=no, aggressive from the first exchange mode, every cipher/integrity pair as its own proposal", () => {
    const c = conn(IKEV1_AGGRESSIVE_NET);
    expect(c).toMatchObject({ ikev2: "no", aggressive: "yes", ike: "3des-sha1;modp2048", compress: "yes" });
    // rijndael is AES-128; Blowfish is left out (Libreswan has none).
    expect(c.esp).toBe("3des-sha1;modp2048,3des-md5;modp2048,aes128-sha1;modp2048,aes128-md5;modp2048");
    const text = renderLibreswanFiles(IKEV1_AGGRESSIVE_NET)[0]!.content;
    expect(text).toContain("# Not offered (Libreswan has no such cipher): blowfish448.");
    expect(text).toContain("ikev1-policy=accept");
    expect(renderLibreswanFiles(MODERN_NET)[0]!.content).not.toContain("ikev1-policy");
    expect(conn({ ...IKEV1_AGGRESSIVE_NET, profile: MODERN_IKEV1_PROFILE })).toMatchObject({
      ikev2: "no",
      aggressive: "no",
      ike: "aes256-sha2_256;modp2048",
    });
  });

  it("combines IKEv2 ESP choices with + and says pfs=no without a PFS group", () => {
    const p: CryptoProfile = {
      ...MODERN_PROFILE,
      esp: {
        ...MODERN_PROFILE.esp,
        encryption: ["aes256", "aes128", "rijndael", "3des"],
        integrity: ["sha512", "sha384", "sha1"],
        pfsGroup: null,
      },
    };
    expect(espProposal(p)).toBe("aes256+aes128+3des-sha2_512+sha2_384+sha1");
    expect(conn({ ...MODERN_NET, profile: p })).toMatchObject({ pfs: "no", esp: "aes256+aes128+3des-sha2_512+sha2_384+sha1" });
    expect(ikeProposal({ ...p, ike: { encryption: "aes192", integrity: "md5", dhGroup: 5 } })).toBe("aes192-md5;modp1536");
  });

  it("maps every allow-listed DH group Libreswan has, and refuses modp768 and modp1024 saying which profiles it runs", () => {
    for (const [group, name] of [
      [5, "modp1536"],
      [14, "modp2048"],
      [18, "modp8192"],
      [19, "ecp256"],
      [20, "ecp384"],
      [21, "ecp521"],
    ] as const) {
      expect(ikeProposal({ ...MODERN_PROFILE, ike: { ...MODERN_PROFILE.ike, dhGroup: group } })).toBe(`aes256-sha2_256;${name}`);
    }
    const e = refusal({ ...MODERN_NET, profile: { ...MODERN_PROFILE, ike: { ...MODERN_PROFILE.ike, dhGroup: 2 } } });
    expect(e).toMatchObject({ code: "unsupported", field: "profile.ike.dhGroup" });
    expect(e.message).toMatch(/modp1024 is not compiled into Libreswan.*DH groups are 5 or 14–21/);
    expect(refusal({ ...MODERN_NET, profile: { ...MODERN_PROFILE, esp: { ...MODERN_PROFILE.esp, pfsGroup: 1 } } })).toMatchObject({
      code: "unsupported",
      field: "profile.esp.pfsGroup",
    });
  });

  it("refuses an ECP group for IKEv1 PFS (4.x has no Quick Mode ID for it) but takes it for IKEv1 phase 1 and for IKEv2", () => {
    const v1 = { ...MODERN_IKEV1_PROFILE, ike: { ...MODERN_IKEV1_PROFILE.ike, dhGroup: 20 as const } };
    expect(conn({ ...MODERN_NET, profile: v1 }).ike).toBe("aes256-sha2_256;ecp384");
    const e = refusal({ ...MODERN_NET, profile: { ...v1, esp: { ...v1.esp, pfsGroup: 19 } } });
    expect(e).toMatchObject({ code: "unsupported", field: "profile.esp.pfsGroup" });
    expect(e.message).toContain("IKEv1 PFS");
    expect(conn(MODERN_NET).esp).toBe("aes256-sha2_256;ecp256");
  });

  it("refuses the article's own profile (DH 2) and a Blowfish-only ESP, and says why per field", () => {
    expect(libreswanProfileProblems(ARTICLE_LEGACY_PROFILE).map((p) => p.field)).toEqual(["profile.ike.dhGroup", "profile.esp.pfsGroup"]);
    expect(refusal({ ...MODERN_NET, profile: ARTICLE_LEGACY_PROFILE }).field).toBe("profile.ike.dhGroup");
    const blowfish = { ...MODERN_PROFILE, esp: { ...MODERN_PROFILE.esp, encryption: ["blowfish448" as const] } };
    expect(refusal({ ...MODERN_NET, profile: blowfish })).toMatchObject({ code: "unsupported", field: "profile.esp.encryption" });
    expect(libreswanProfileProblems(MODERN_PROFILE)).toEqual([]);
    expect(libreswanProfileProblems(MODERN_IKEV1_PROFILE)).toEqual([]);
  });

  it("refuses more than one subnet per side and a net-to-net end without a LAN address inside its subnet", () => {
    const two = { ...MODERN_NET, remote: { ...MODERN_NET.remote, subnets: ["192.168.2.0/24", "10.2.0.0/16"] } };
    expect(refusal(two)).toMatchObject({ code: "unsupported", field: "remote.subnets" });
    // Gatewarden has one tunnel per gateway pair: "one tunnel per subnet pair" cannot be followed.
    expect(refusal(two).message).not.toMatch(/one tunnel per subnet pair/);
    expect(refusal(two).message).toMatch(
      /No small network holds 192\.168\.2\.0\/24 and 10\.2\.0\.0\/16: put this gateway on the strongswan platform/,
    );
    expect(refusal({ ...MODERN_NET, local: { ...MODERN_NET.local, lanAddress: null } })).toMatchObject({
      code: "invalid-input",
      field: "local.lanAddress",
    });
    expect(refusal({ ...MODERN_NET, local: { ...MODERN_NET.local, lanAddress: "10.9.9.9" } }).field).toBe("local.lanAddress");
    // The peer's LAN address is the peer's business.
    expect(() => renderLibreswanFiles({ ...MODERN_NET, remote: { ...MODERN_NET.remote, lanAddress: null } })).not.toThrow();
  });

  it("writes a PSK that other formats read as hex verbatim: inside quotes Libreswan takes every byte", () => {
    const [, s] = renderLibreswanFiles({ ...MODERN_NET, psk: "0x4142%&()*+,-./:<=>?@[]^_{|}~" });
    expect(s!.content).toContain('198.18.1.1 198.18.2.1 : PSK "0x4142%&()*+,-./:<=>?@[]^_{|}~"\n');
  });
});
