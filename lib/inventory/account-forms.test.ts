import { describe, expect, it } from "vitest";
import { zodFieldErrors } from "./form-state";
import { newUserSchema } from "./account-forms";

const errors = (r: { success: boolean; error?: import("zod").ZodError }) => (r.success ? {} : zodFieldErrors(r.error!));

describe("newUserSchema", () => {
  it.each([
    ["aaaaaaaaaaaa", /Repeated characters/],
    ["password1234", /commonly used password/],
    ["            ", /only spaces/],
    ["marta-marta-2026", /user name/],
  ])("refuses the password %j with the reason on the password field", (password, reason) => {
    const e = errors(newUserSchema.safeParse({ username: "marta", password, confirm: password, role: "viewer" }));
    expect(e.password).toMatch(reason);
  });

  it("accepts a passphrase", () => {
    const pw = "correct horse battery staple";
    expect(newUserSchema.safeParse({ username: "marta", password: pw, confirm: pw, role: "viewer" }).success).toBe(true);
  });

  it("says when the confirmation differs", () => {
    const e = errors(
      newUserSchema.safeParse({
        username: "marta",
        password: "correct horse battery staple",
        confirm: "correct horse battery stapler",
        role: "viewer",
      }),
    );
    expect(e.confirm).toMatch(/differ/);
  });
});
