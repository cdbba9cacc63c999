// Sign-in throttling on a real SQLite database: every attempt takes its slot before the
// password is checked (so a parallel burst costs what it sends), failures bring growing
// delays rather than a lock, and a client that has not failed keeps its way in.
// The clock is frozen (only Date is faked) so the delays are exact.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

const ALICE = { username: "alice", password: "alice's long passphrase here" };
const BOB = { username: "bob", password: "bob keeps another passphrase" };
const ATTACKER = "203.0.113.50";
const T0 = new Date("2026-03-01T09:00:00Z");

async function createUser(username: string, password: string, role: "admin" | "operator" = "operator") {
  const { runInTransaction } = await import("@/lib/db/client");
  const { createUser } = await import("@/lib/db/users");
  const { hashPassword } = await import("@/lib/secrets/password");
  const passwordHash = await hashPassword(password);
  return runInTransaction((tx) => createUser(tx, { username, passwordHash, role }));
}

const signIn = async (who: { username: string; password: string }, client: string) =>
  (await import("@/lib/inventory/sign-in")).authenticate(who.username, who.password, client);
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "signed-in",
    (e: { code?: string }) => e.code ?? String(e),
  );
const at = (ms: number) => vi.setSystemTime(new Date(T0.getTime() + ms));

let aliceId = "";

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  aliceId = (await createUser(ALICE.username, ALICE.password)).id;
  await createUser(BOB.username, BOB.password);
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
});

afterAll(() => {
  vi.useRealTimers();
});

describe("200 parallel wrong sign-ins, then the right one", () => {
  it("checks only the attempts the delays allow, and refuses the right password until the delay has passed", async () => {
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) => outcome(signIn({ username: "alice", password: `guess number ${i}` }, ATTACKER))),
    );
    const checked = burst.filter((o) => o === "bad_credentials").length;
    const delayed = burst.filter((o) => o === "rate_limited").length;
    // Five free failures on the account, then 1 s after the newest: with the clock
    // frozen, exactly five passwords were checked and every other attempt was refused.
    expect(checked).toBe(5);
    expect(delayed).toBe(195);

    await expect(signIn(ALICE, ATTACKER)).rejects.toMatchObject({
      code: "rate_limited",
      userMessage: expect.stringMatching(/Try again in 1 second/),
    });
    at(999);
    await expect(signIn(ALICE, ATTACKER)).rejects.toMatchObject({ code: "rate_limited" });
    at(1_000);
    await expect(signIn(ALICE, ATTACKER)).resolves.toMatchObject({ id: aliceId });
  });

  it("meanwhile another user signs in normally, and so does alice from a client that has not failed", async () => {
    at(2_000);
    for (let i = 0; i < 3; i++)
      await expect(signIn({ ...ALICE, password: "still guessing" }, ATTACKER)).rejects.toMatchObject({ code: expect.any(String) });
    await expect(signIn(ALICE, ATTACKER)).rejects.toMatchObject({ code: "rate_limited" });
    await expect(signIn(BOB, "198.51.100.20")).resolves.toMatchObject({ username: "bob" });
    await expect(signIn(ALICE, "198.51.100.30")).resolves.toMatchObject({ username: "alice" });
  });

  it("delays a client as soon as it fails on the account under attack", async () => {
    at(3_000);
    await expect(signIn({ ...ALICE, password: "a typo in it" }, "198.51.100.31")).rejects.toMatchObject({ code: "bad_credentials" });
    await expect(signIn(ALICE, "198.51.100.31")).rejects.toMatchObject({ code: "rate_limited" });
  });
});

describe("audit and the admin's way out", () => {
  it("audits failed sign-ins to existing accounts, not to unknown names", async () => {
    const { listAuditEvents } = await import("@/lib/db/audit");
    const failed = await listAuditEvents({ targetType: "user", targetId: aliceId });
    expect(failed.filter((e) => e.action === "user.sign-in-failed")[0]?.summary).toMatch(/^Failed sign-in as alice from 198\.51\.100\.31$/);
    at(4_000);
    await expect(signIn({ username: "nobody-here", password: "whatever it is" }, "198.51.100.40")).rejects.toMatchObject({
      code: "bad_credentials",
    });
    expect((await listAuditEvents()).some((e) => e.summary.includes("nobody-here"))).toBe(false);
  });

  it("lets an admin clear an account's delay, audited: the failing client is let in at once", async () => {
    const { clearSignInDelay } = await import("@/lib/inventory/account-lifecycle");
    const { listAuditEvents } = await import("@/lib/db/audit");
    at(5_000);
    for (let i = 0; i < 6; i++) await outcome(signIn({ ...ALICE, password: "wrong again" }, ATTACKER));
    await expect(signIn(ALICE, ATTACKER)).rejects.toMatchObject({ code: "rate_limited" });
    const cleared = await clearSignInDelay({ id: null, username: "root-admin" }, aliceId);
    expect(cleared.cleared).toBeGreaterThan(5);
    await expect(signIn(ALICE, ATTACKER)).resolves.toMatchObject({ id: aliceId });
    const [event] = await listAuditEvents({ targetType: "user", targetId: aliceId });
    expect(event).toMatchObject({ action: "user.sign-in-delay-clear", actorName: "root-admin" });
    expect(event!.summary).toMatch(/Cleared the sign-in delay of alice/);
  });

  it("forgets failures after the window", async () => {
    at(6_000);
    for (let i = 0; i < 6; i++) await outcome(signIn({ ...ALICE, password: "wrong once more" }, "198.51.100.77"));
    await expect(signIn(ALICE, "198.51.100.77")).rejects.toMatchObject({ code: "rate_limited" });
    at(6_000 + 24 * 3_600_000 + 1);
    await expect(signIn(ALICE, "198.51.100.77")).resolves.toMatchObject({ id: aliceId });
  });
});
