// Playwright runs the spec files one after another in name order on one fresh database
// (playwright.config.ts). foundation.spec.ts must come first: it checks the first start
// (no account yet, the setup code) before any other spec's fixture creates the admin.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("e2e spec order", () => {
  it("foundation.spec.ts is the first spec Playwright runs", () => {
    const specs = readdirSync(path.resolve(__dirname, "../e2e"))
      .filter((f) => f.endsWith(".spec.ts"))
      .sort();
    expect(specs[0]).toBe("foundation.spec.ts");
  });
});
