import { describe, expect, it } from "vitest";
import { CONNECTION_NAME_MAX } from "@/lib/platforms/contract";
import { isConnectionName, legacyConnectionName, readableConnectionName, shortTunnelId, siteSlug, SLUG_MAX } from "./connection-name";

describe("siteSlug", () => {
  it.each([
    ["HQ", "hq"],
    ["Branch 1", "branch-1"],
    ["Zürich Süd", "zurich-sud"],
    ["  São Paulo / DC-2 ", "sao-paulo-dc-2"],
    ["a--b", "a-b"],
    ["--edge--", "edge"],
    ["Ærø_Œuvre", "aero-oeuvre"],
    ["Łódź Straße", "lodz-strasse"],
    ["東京", "site"],
    ["", "site"],
    ["-", "site"],
  ])("%j → %j", (name, slug) => expect(siteSlug(name)).toBe(slug));

  it("never leaves a hyphen at the end after cutting to length", () => {
    expect(siteSlug("abcd efgh", 5)).toBe("abcd");
    expect(siteSlug("x".repeat(100))).toHaveLength(SLUG_MAX);
  });
});

describe("readableConnectionName", () => {
  const id = "cmiuv0m3k000108l42q8sd7xz";

  it("is gw-<site a>--<site b>-<8 hex>, stable for the same tunnel", () => {
    const name = readableConnectionName(id, "HQ", "Branch1");
    expect(name).toBe(`gw-hq--branch1-${shortTunnelId(id)}`);
    expect(name).toMatch(/^gw-hq--branch1-[0-9a-f]{8}$/);
    expect(readableConnectionName(id, "HQ", "Branch1")).toBe(name);
  });

  it("tells tunnels between the same sites apart by their id (a tunnel deleted and added again)", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `cmiuv0m3k0001${String(i).padStart(4, "0")}l42q8sd`);
    const names = new Set(ids.map((i) => readableConnectionName(i, "HQ", "Branch1")));
    expect(names.size).toBe(ids.length);
  });

  it("keeps the site boundary readable: '--' only between the two sites", () => {
    const name = readableConnectionName(id, "new--york", "-branch-");
    expect(name.split("--")).toHaveLength(2);
    expect(name).toMatch(/^gw-new-york--branch-[0-9a-f]{8}$/);
  });

  it("stays within 63 characters and the charset every platform accepts, whatever the site names", () => {
    for (const [a, b] of [
      ["x".repeat(200), "y".repeat(200)],
      ["Ünïcödé ".repeat(30), "東京"],
      ["a b c d e f g h i j k l m n o p q r s t u v w x y z", '$(reboot); `id` "quoted"\nnewline'],
    ]) {
      const name = readableConnectionName(id, a!, b!);
      expect(name.length).toBeLessThanOrEqual(CONNECTION_NAME_MAX);
      expect(isConnectionName(name)).toBe(true);
      expect(name).toMatch(/^gw-[a-z0-9-]+--[a-z0-9-]+-[0-9a-f]{8}$/);
    }
  });
});

describe("isConnectionName", () => {
  it.each(["gw-hq--branch1-3f9a2c1d", "gw-af3a9009-e84c-4000-8000-000000000001", "a", "a".repeat(63)])("accepts %s", (n) =>
    expect(isConnectionName(n)).toBe(true),
  );
  it.each(["", "a".repeat(64), "-gw", "Gw-HQ", "gw_hq", "gw.hq", "gw hq", "gw-hq\n", "gw/../x", "gw-ü"])("refuses %j", (n) =>
    expect(isConnectionName(n)).toBe(false),
  );
});

describe("legacyConnectionName", () => {
  it("is the bare-id name tunnels were deployed under before (as the migration stores it)", () => {
    expect(legacyConnectionName("AF3A9009-E84C")).toBe("gw-af3a9009-e84c");
  });
});
