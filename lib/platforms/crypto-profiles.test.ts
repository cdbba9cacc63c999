import { describe, expect, it } from "vitest";
import { ARTICLE_LEGACY_PROFILE, BUILT_IN_PROFILES, MODERN_PROFILE, cryptoProfileSchema, lintCryptoProfile } from "./crypto-profiles";

const fields = (p: Parameters<typeof lintCryptoProfile>[0]) => lintCryptoProfile(p).map((f) => `${f.severity}:${f.field}:${f.message}`);

describe("built-in crypto profiles", () => {
  it("pass the admin schema", () => {
    for (const p of BUILT_IN_PROFILES) expect(cryptoProfileSchema.safeParse(p).success, p.name).toBe(true);
  });

  it("keep the article's phase 2 exactly (Listing 4 sainfo)", () => {
    expect(ARTICLE_LEGACY_PROFILE).toMatchObject({
      ikeVersion: 1,
      exchangeModes: ["aggressive", "main"],
      ike: { encryption: "3des", integrity: "sha1", dhGroup: 2 },
      esp: { encryption: ["3des", "blowfish448", "rijndael"], integrity: ["sha1", "md5"], pfsGroup: 2, compression: "deflate" },
      childLifetimeSeconds: 3600,
    });
  });

  it("Modern has no lint findings", () => {
    expect(lintCryptoProfile(MODERN_PROFILE)).toEqual([]);
    expect(MODERN_PROFILE).toMatchObject({ ikeVersion: 2, esp: { pfsGroup: 19 } });
  });

  it("flags every weak choice of the article's profile, with a reason and a source", () => {
    const findings = lintCryptoProfile(ARTICLE_LEGACY_PROFILE);
    expect(fields(ARTICLE_LEGACY_PROFILE)).toEqual([
      "warning:ikeVersion:IKEv1 is deprecated",
      "danger:exchangeModes:Aggressive mode with a pre-shared key exposes a crackable hash",
      "warning:ike.encryption:3DES is deprecated",
      "warning:ike.integrity:SHA-1 is being phased out",
      "warning:ike.dhGroup:DH group 2 (modp1024) is too weak",
      "warning:esp.encryption:3DES is deprecated",
      "warning:esp.encryption:Blowfish is not recommended",
      "danger:esp.integrity:MD5 must not be used",
      "warning:esp.integrity:SHA-1 is being phased out",
      "warning:esp.pfsGroup:DH group 2 (modp1024) is too weak",
    ]);
    for (const f of findings) expect(f.reason.length * f.source.length).toBeGreaterThan(0);
    expect(findings.find((f) => f.field === "ikeVersion")!.source).toBe("RFC 9395");
  });

  it("flags DH group 1 as danger, group 5 as warning, and a missing PFS group", () => {
    const p = { ...MODERN_PROFILE, ike: { ...MODERN_PROFILE.ike, dhGroup: 1 as const }, esp: { ...MODERN_PROFILE.esp, pfsGroup: null } };
    expect(fields(p)).toEqual(["danger:ike.dhGroup:DH group 1 (modp768) is broken", "warning:esp.pfsGroup:No perfect forward secrecy"]);
    expect(fields({ ...MODERN_PROFILE, ike: { ...MODERN_PROFILE.ike, dhGroup: 5 } })).toEqual([
      "warning:ike.dhGroup:DH group 5 (modp1536) is too weak",
    ]);
  });

  it("says aggressive mode needs a non-default strongSwan setting, which Gatewarden writes and shows", () => {
    const finding = lintCryptoProfile(ARTICLE_LEGACY_PROFILE).find((f) => f.field === "exchangeModes")!;
    expect(finding.reason).toContain("A stock strongSwan refuses to answer it");
    expect(finding.reason).toContain(
      "Gatewarden therefore writes /etc/strongswan.d/gatewarden-aggressive-psk.conf, a non-default, router-wide setting (charon.i_dont_care_about_security_and_use_aggressive_mode_psk = yes)",
    );
    expect(finding.reason).toContain("shown in the preview and the bundle's INSTALL note");
  });

  it("does not flag main mode IKEv1 as aggressive", () => {
    expect(fields({ ...ARTICLE_LEGACY_PROFILE, exchangeModes: ["main"] }).some((f) => f.includes("Aggressive"))).toBe(false);
  });
});

describe("cryptoProfileSchema (admin-defined profiles)", () => {
  const valid = { ...MODERN_PROFILE, name: "Branch (2024)" };

  it("accepts allow-listed names only", () => {
    expect(cryptoProfileSchema.safeParse(valid).success).toBe(true);
    for (const bad of [
      { ...valid, ike: { ...valid.ike, encryption: "aes256; rm -rf /" } },
      { ...valid, esp: { ...valid.esp, integrity: ["sha256\n"] } },
      { ...valid, ike: { ...valid.ike, dhGroup: 22 } },
      { ...valid, esp: { ...valid.esp, compression: "lzs" } },
    ]) {
      expect(cryptoProfileSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("rejects empty or repeated lists, IKEv1 without exchange mode, odd lifetimes and names", () => {
    for (const bad of [
      { ...valid, esp: { ...valid.esp, encryption: [] } },
      { ...valid, esp: { ...valid.esp, integrity: ["sha256", "sha256"] } },
      { ...valid, ikeVersion: 1, exchangeModes: [] },
      { ...valid, ikeVersion: 1, exchangeModes: ["main", "main"] },
      { ...valid, childLifetimeSeconds: 10 },
      { ...valid, ikeLifetimeSeconds: 1.5e3 + 0.5 },
      { ...valid, name: "x\ny" },
      { ...valid, name: "" },
    ]) {
      expect(cryptoProfileSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
