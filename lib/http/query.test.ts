import { describe, expect, it } from "vitest";
import { afterSeqParam, idParam, queryValue } from "./query";

const q = (s: string) => new URLSearchParams(s);

describe("queryValue(after)", () => {
  it("reads whole numbers and defaults to 0", () => {
    expect(queryValue(q(""), "after", afterSeqParam, 0)).toEqual({ ok: true, value: 0 });
    expect(queryValue(q("after=0"), "after", afterSeqParam, 0)).toEqual({ ok: true, value: 0 });
    expect(queryValue(q("after=42"), "after", afterSeqParam, 0)).toEqual({ ok: true, value: 42 });
  });
  it.each(["1e308", "-1", "1.5", "0x10", "Infinity", "NaN", "", " 1", "9999999999", "１"])("refuses after=%j", (v) => {
    expect(queryValue(q(`after=${encodeURIComponent(v)}`), "after", afterSeqParam, 0)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^after: /),
    });
  });
  it("refuses a value given twice", () => {
    expect(queryValue(q("after=1&after=2"), "after", afterSeqParam, 0)).toEqual({ ok: false, message: "give after once" });
  });
});

describe("idParam", () => {
  it.each(["c123abc", "0b5e1c52-7d0e-4f6a-9a53-0d1c2b3a4f5e"])("accepts %s", (v) => expect(idParam.safeParse(v).success).toBe(true));
  it.each(["", "a b", "x".repeat(65), "../etc", "%"])("refuses %j", (v) => expect(idParam.safeParse(v).success).toBe(false));
});
