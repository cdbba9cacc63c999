// The SQLite client loads relations of more than 999 rows (a 1,000-tunnel fleet's
// overview); Prisma's default assumption for SQLite would refuse it with P2029.
import { describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

describe("SQLite bind-parameter limit", () => {
  it("loads 1,200 sites with their subnets in one query", async () => {
    await freshAppDatabase();
    const { getDb } = await import("@/lib/db/client");
    const db = getDb();
    const rows = Array.from({ length: 1200 }, (_, i) => ({ id: `s${i}`, name: `Site ${i}` }));
    await db.site.createMany({ data: rows });
    await db.subnet.createMany({ data: rows.map((r, i) => ({ siteId: r.id, cidr: `10.${i >> 8}.${i & 255}.0/24` })) });
    const sites = await db.site.findMany({ include: { subnets: true } });
    expect(sites).toHaveLength(1200);
    expect(sites.every((s) => s.subnets.length === 1)).toBe(true);
  });
});
