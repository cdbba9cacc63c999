import { describe, expect, it } from "vitest";
import { parseHealthFilter, statesOf } from "./attention";

describe("parseHealthFilter", () => {
  it("takes a health state or 'attention', and nothing else", () => {
    expect(parseHealthFilter("down")).toBe("down");
    expect(parseHealthFilter(["attention", "up"])).toBe("attention");
    for (const bad of [undefined, "", "DOWN", "broken", "attention "]) expect(parseHealthFilter(bad)).toBeNull();
  });

  it("'attention' means down, unreachable and degraded", () => {
    expect(statesOf("attention")).toEqual(["down", "unreachable", "degraded"]);
    expect(statesOf("up")).toEqual(["up"]);
  });
});
