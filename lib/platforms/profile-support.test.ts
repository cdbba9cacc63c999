import { describe, expect, it } from "vitest";
import { ARTICLE_LEGACY_PROFILE, MODERN_IKEV1_PROFILE, MODERN_PROFILE } from "./crypto-profiles";
import { profileSupport } from "./profile-support";

const byPlatform = (p: Parameters<typeof profileSupport>[0]) => Object.fromEntries(profileSupport(p).map((s) => [s.platform, s.reason]));

describe("profileSupport", () => {
  it("says which platforms run each built-in profile, and why the others cannot", () => {
    expect(byPlatform(MODERN_IKEV1_PROFILE)).toEqual({ strongswan: null, "centos-racoon": null, libreswan: null });
    const modern = byPlatform(MODERN_PROFILE);
    expect(modern).toMatchObject({ strongswan: null, libreswan: null });
    expect(modern["centos-racoon"]).toMatch(/IKEv1 only/);
    const article = byPlatform(ARTICLE_LEGACY_PROFILE);
    expect(article).toMatchObject({ strongswan: null, "centos-racoon": null });
    expect(article.libreswan).toMatch(/^Libreswan cannot use DH group 2 \(modp1024\) for IKE: .*DH groups are 5 or 14–21/);
  });

  it("refuses ECP groups on CentOS: racoon has none", () => {
    const ecp = {
      ...MODERN_IKEV1_PROFILE,
      ike: { ...MODERN_IKEV1_PROFILE.ike, dhGroup: 19 as const },
      esp: { ...MODERN_IKEV1_PROFILE.esp, pfsGroup: 20 as const },
    };
    expect(byPlatform(ecp)).toMatchObject({
      strongswan: null,
      "centos-racoon": expect.stringMatching(/^racoon has no DH group 19 \(ecp256\)/),
    });
  });

  it("says how CentOS runs a profile it can run: the mode racoon initiates in and how ifup could change it, AH off, no IPComp", () => {
    const centos = (p: Parameters<typeof profileSupport>[0]) => profileSupport(p).find((s) => s.platform === "centos-racoon")!;
    const modern = centos(MODERN_IKEV1_PROFILE).caveats.join("\n");
    expect(modern).toMatch(/racoon initiates in main mode/);
    expect(modern).toMatch(/exchange_mode aggressive, main.*older than ifcfg-ipsec0/s);
    expect(modern).toMatch(/AH_PROTO=none/);
    expect(modern).not.toMatch(/IPComp/);
    const article = centos(ARTICLE_LEGACY_PROFILE).caveats.join("\n");
    expect(article).toMatch(/racoon initiates in aggressive mode/);
    expect(article).toMatch(/IPComp is never negotiated/);
    expect(centos(MODERN_PROFILE).caveats).toEqual([]);
    for (const s of profileSupport(MODERN_IKEV1_PROFILE).filter((x) => x.platform !== "centos-racoon"))
      expect(s.caveats, s.platform).toEqual([]);
  });

  it("names each platform for the page that lists them", () => {
    expect(profileSupport(MODERN_PROFILE).map((s) => s.shortLabel)).toContain("Libreswan");
  });
});
