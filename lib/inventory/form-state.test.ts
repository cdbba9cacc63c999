import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formFields, splitLines, zodFieldErrors } from "./form-state";

describe("form helpers", () => {
  it("keeps text fields and drops Next's action keys", () => {
    const fd = new FormData();
    fd.set("siteName", "Oslo");
    fd.set("$ACTION_ID_abc", "");
    expect(formFields(fd)).toEqual({ siteName: "Oslo" });
  });
  it("maps zod issues to the first message per field", () => {
    const r = z
      .object({ a: z.string().min(2, "too short").regex(/x/, "needs x"), b: z.object({ c: z.number() }) })
      .safeParse({ a: "", b: { c: "1" } });
    expect(r.success).toBe(false);
    if (!r.success) expect(zodFieldErrors(r.error)).toEqual({ a: "too short", "b.c": expect.any(String) });
  });
  it("splits CIDR lists on lines and commas", () => {
    expect(splitLines(" 10.0.0.0/24\r\n\n10.0.1.0/24, 10.0.2.0/24 ")).toEqual(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]);
  });
});
