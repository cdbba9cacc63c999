import { describe, expect, it } from "vitest";
import { passwordWeakness } from "./password-policy";

describe("passwordWeakness", () => {
  it.each([
    ["aaaaaaaaaaaa", /Too easy to guess: Repeated characters/],
    ["password1234", /Too easy to guess: This is similar to a commonly used password/],
    ["            ", /only spaces/],
    ["qwertyuiop[]", /Too easy to guess/],
    ["1234567890123", /Too easy to guess/],
    ["Password123!", /Too easy to guess/],
  ])("refuses %j with a reason", (pw, reason) => {
    expect(passwordWeakness(pw, "marta")).toMatch(reason);
  });

  it("refuses the user name, in any case and inside the password", () => {
    expect(passwordWeakness("opsadmin2026", "opsadmin")).toMatch(/user name/);
    expect(passwordWeakness("Hello-OPSADMIN-world", "opsadmin")).toMatch(/user name/);
  });

  it("refuses related words the estimator is told about", () => {
    expect(passwordWeakness("gatewardengatewarden", "marta", ["gatewarden"])).toMatch(/Too easy to guess/);
  });

  it("keeps the length limits", () => {
    expect(passwordWeakness("Xq7#pL2!vN9", "marta")).toMatch(/at least 12/);
    expect(passwordWeakness("x".repeat(257), "marta")).toMatch(/at most 256/);
  });

  it.each(["correct horse battery staple", "an old but good passphrase", "Kx7-vQ2_mT9.zR4", "viewer password 123"])("accepts %j", (pw) => {
    expect(passwordWeakness(pw, "marta")).toBeNull();
  });

  it("answers quickly for long input", () => {
    const t = Date.now();
    passwordWeakness("ab1!".repeat(64), "marta");
    expect(Date.now() - t).toBeLessThan(2_000);
  });
});
