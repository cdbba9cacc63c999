// First-run setup on a real SQLite database: the first admin needs a one-time code the
// server printed (console and log); a missing or wrong code creates nothing, and a code
// works once.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

const PW = "correct horse battery staple";
const form = (setupCode?: string) => ({ ...(setupCode === undefined ? {} : { setupCode }), username: "first", password: PW, confirm: PW });

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
});

describe("first-run setup", () => {
  it("refuses to create the first admin without the setup code, or with a wrong one", async () => {
    const { createFirstAdmin, needsSetup } = await import("@/lib/inventory/accounts");
    await expect(createFirstAdmin(form())).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { setupCode: expect.stringMatching(/setup code/) },
    });
    await expect(createFirstAdmin(form("AAAA-BBBB-CCCC-DDDD"))).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { setupCode: expect.stringMatching(/not a setup code this server printed/) },
    });
    expect(await needsSetup()).toBe(true);
  });

  it("prints a code on the console and in the log at start-up, stores only its hash, and it works once", async () => {
    const { announceSetupCode } = await import("@/lib/inventory/setup-code");
    const { createFirstAdmin, needsSetup } = await import("@/lib/inventory/accounts");
    const { getDb } = await import("@/lib/db/client");
    const printed: string[] = [];
    const spy = vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
    try {
      await announceSetupCode();
    } finally {
      spy.mockRestore();
    }
    const code = /one-time setup code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(printed.join("\n"))?.[1];
    expect(code).toBeDefined();
    const rows = await getDb().setupCode.findMany();
    expect(JSON.stringify(rows)).not.toContain(code!.replace(/-/g, ""));
    expect(JSON.stringify(rows)).not.toContain(code);

    // Typed loosely: lower case, spaces instead of dashes.
    const admin = await createFirstAdmin(form(code!.toLowerCase().replace(/-/g, " ")));
    expect(admin).toMatchObject({ username: "first", role: "admin" });
    expect(await needsSetup()).toBe(false);
    expect(await getDb().setupCode.count()).toBe(0);
    await expect(createFirstAdmin({ ...form(code!), username: "second" })).rejects.toMatchObject({ code: "setup_done" });
  });
});
