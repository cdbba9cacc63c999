import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { pageHref, pageWindow, parsePage } from "./pagination";

describe("parsePage", () => {
  it("reads a positive page number and falls back to 1 for anything else", () => {
    expect(parsePage("3")).toBe(3);
    expect(parsePage(["2", "5"])).toBe(2);
    for (const bad of [undefined, "", "0", "-2", "1.5", "abc", "1e3", " 4", "9999999999"]) expect(parsePage(bad)).toBe(1);
  });
});

describe("pageWindow", () => {
  it("cuts 1,000 rows into pages of 50", () => {
    expect(pageWindow({ page: 1, perPage: 50, total: 1000 })).toEqual({
      page: 1,
      pageCount: 20,
      skip: 0,
      take: 50,
      first: 1,
      last: 50,
      total: 1000,
      prev: null,
      next: 2,
    });
    expect(pageWindow({ page: 20, perPage: 50, total: 1000 })).toMatchObject({
      page: 20,
      skip: 950,
      first: 951,
      last: 1000,
      prev: 19,
      next: null,
    });
  });

  it("shows the last page when asked past the end, and a short last page as it is", () => {
    expect(pageWindow({ page: 99, perPage: 50, total: 120 })).toMatchObject({
      page: 3,
      pageCount: 3,
      skip: 100,
      first: 101,
      last: 120,
      next: null,
      prev: 2,
    });
  });

  it("has one empty page for an empty list", () => {
    expect(pageWindow({ page: 4, perPage: 50, total: 0 })).toEqual({
      page: 1,
      pageCount: 1,
      skip: 0,
      take: 50,
      first: 0,
      last: 0,
      total: 0,
      prev: null,
      next: null,
    });
  });

  it("refuses a page size that is not a positive integer", () => {
    expect(() => pageWindow({ page: 1, perPage: 0, total: 10 })).toThrow(/perPage/);
  });

  it("shows every row exactly once across its pages", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 200 }), (total, perPage) => {
        const first = pageWindow({ page: 1, perPage, total });
        let seen = 0;
        for (let p = 1; p <= first.pageCount; p++) {
          const w = pageWindow({ page: p, perPage, total });
          expect(w.page).toBe(p);
          if (w.last) expect(w.first).toBe(seen + 1);
          seen = w.last || seen;
        }
        expect(seen).toBe(total);
      }),
    );
  });
});

describe("pageHref", () => {
  it("keeps the filters, drops empty ones and leaves page 1 out", () => {
    expect(pageHref("/tunnels", { health: "down", gateway: undefined }, 1)).toBe("/tunnels?health=down");
    expect(pageHref("/tunnels", { health: "down" }, 3)).toBe("/tunnels?health=down&page=3");
    expect(pageHref("/sites", {}, 1)).toBe("/sites");
  });
});
