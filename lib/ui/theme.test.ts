import { describe, expect, it } from "vitest";
import { parseThemeChoice, resolveTheme, themeBootScript } from "./theme";

describe("theme", () => {
  it("follows the system until a choice is made", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("reads anything unknown as the system's choice", () => {
    expect(parseThemeChoice("dark")).toBe("dark");
    expect(parseThemeChoice("purple")).toBe("system");
    expect(parseThemeChoice(null)).toBe("system");
  });

  it("the head script sets data-theme from storage, and from the system when storage fails", () => {
    const run = (stored: string | null | "throws", systemDark: boolean) => {
      const root = { dataset: {} as Record<string, string> };
      const media = { matches: systemDark, addEventListener: () => {} };
      const localStorage = {
        getItem: () => {
          if (stored === "throws") throw new Error("denied");
          return stored;
        },
      };
      const window = { matchMedia: () => media, addEventListener: () => {} };
      new Function("window", "document", "localStorage", themeBootScript)(window, { documentElement: root }, localStorage);
      return root.dataset;
    };
    expect(run("dark", false)).toEqual({ theme: "dark", themeChoice: "dark" });
    expect(run(null, true)).toEqual({ theme: "dark", themeChoice: "system" });
    expect(run("light", true)).toEqual({ theme: "light", themeChoice: "light" });
    expect(run("throws", false)).toEqual({ theme: "light", themeChoice: "system" });
  });
});
