import { describe, expect, it } from "vitest";
import { ARTICLE_LEGACY_PROFILE, MODERN_IKEV1_PROFILE, MODERN_PROFILE } from "@/lib/platforms/crypto-profiles";
import { profileLabel, recommendProfile, weakProfileRefusal } from "./profile-choice";
import { profileChoice } from "./profile-lint";

// The built-ins in the order the database lists them (by name): the legacy one first.
const choices = [
  profileChoice({ id: "article", name: ARTICLE_LEGACY_PROFILE.name }, ARTICLE_LEGACY_PROFILE),
  profileChoice({ id: "modern", name: MODERN_PROFILE.name }, MODERN_PROFILE),
  profileChoice({ id: "modern-v1", name: MODERN_IKEV1_PROFILE.name }, MODERN_IKEV1_PROFILE),
];

describe("recommendProfile", () => {
  it("never pre-selects the article's legacy profile, although it is listed first", () => {
    expect(recommendProfile(choices, ["strongswan", "strongswan"])).toBe("modern");
    expect(recommendProfile(choices, ["libreswan", "strongswan"])).toBe("modern");
  });
  it("takes the strongest profile both platforms can run: IKEv1 main mode when one end is racoon", () => {
    expect(recommendProfile(choices, ["strongswan", "centos-racoon"])).toBe("modern-v1");
    expect(recommendProfile(choices, ["centos-racoon", "centos-racoon"])).toBe("modern-v1");
  });
  it("chooses nothing rather than a dangerous profile", () => {
    expect(recommendProfile([choices[0]!], ["strongswan"])).toBe("");
  });
});

describe("weak profiles", () => {
  it("the legacy profile carries the lint's dangers, and its label says it is weak", () => {
    const article = choices[0]!;
    expect(article.dangers.length).toBeGreaterThanOrEqual(2);
    expect(profileLabel(article)).toMatch(/^⚠ Article \(legacy\) \(IKEv1\): weak, \d+ dangerous settings$/);
    expect(profileLabel(choices[1]!)).toBe("Modern (IKEv2)");
  });
  it("is refused without the explicit acknowledgement, with the reasons", () => {
    const article = choices[0]!;
    expect(weakProfileRefusal(article, false)).toMatch(/^Article \(legacy\) is weak \(.*Aggressive mode.*\)\. Choose a stronger profile/);
    expect(weakProfileRefusal(article, true)).toBeNull();
    expect(weakProfileRefusal(choices[1]!, false)).toBeNull();
  });
});
