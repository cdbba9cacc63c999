import { describe, expect, it } from "vitest";
import { errorsUpToStep, firstStepWithError, WIZARD_STEPS } from "./branch-office-steps";

describe("errorsUpToStep", () => {
  const errors = { siteName: "a", publicIp: "b", sshPrivateKey: "c", pskValue: "d", form: "e" };

  it("keeps the errors of the step and the ones before it, never later steps'", () => {
    expect(errorsUpToStep(errors, 0)).toEqual({ siteName: "a", form: "e" });
    expect(errorsUpToStep(errors, 1)).toEqual({ siteName: "a", publicIp: "b", form: "e" });
    expect(errorsUpToStep(errors, 3)).toEqual(errors);
  });
});

describe("firstStepWithError", () => {
  it("finds the earliest step with an error", () => {
    expect(firstStepWithError({ pskValue: "x", publicIp: "y" })).toBe(1);
    expect(firstStepWithError({})).toBe(-1);
  });

  it("places every field on exactly one step", () => {
    const all = WIZARD_STEPS.flatMap((s) => s.fields);
    expect(new Set(all).size).toBe(all.length);
  });
});
