import { describe, expect, it } from "vitest";
import { calmSummary, parseHealthFilter, statesOf } from "./attention";

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

describe("calmSummary", () => {
  it("never says 'up' when nothing was checked yet", () => {
    expect(calmSummary({ unknown: 3 })).toEqual({
      text: "No tunnel has been checked yet: 3 not deployed or waiting for a first health check.",
      unchecked: 3,
    });
  });
  it("counts the checked tunnels and names the unchecked ones", () => {
    expect(calmSummary({ up: 2, unknown: 1 }).text).toBe("The 2 checked tunnels are up; 1 not checked (not deployed, or no check yet).");
    expect(calmSummary({ up: 1 }).text).toBe("All 1 tunnel is up.");
    expect(calmSummary({ up: 5 }).text).toBe("All 5 tunnels are up.");
  });
  it("says when there is no tunnel at all", () => {
    expect(calmSummary({})).toEqual({ text: "No tunnels yet.", unchecked: 0 });
  });
});
