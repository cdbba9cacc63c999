// API tokens on a real database: stored hashed, shown once, scoped no higher than their
// creator's role, refused at once when revoked, expired or their user disabled, a
// metrics token good for /metrics only, last use recorded, creation and revocation audited.
import { beforeAll, describe, expect, it } from "vitest";
import { freshAppDatabase } from "@/e2e/support/app-db";

let adminId = "";
let operatorId = "";
let viewerId = "";

const tokens = () => import("@/lib/api/tokens");
const bearer = (t: string) => `Bearer ${t}`;

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  const { runInTransaction } = await import("@/lib/db/client");
  const { createUser } = await import("@/lib/db/users");
  const mk = (username: string, role: "admin" | "operator" | "viewer") =>
    runInTransaction((tx) => createUser(tx, { username, passwordHash: "scrypt$unused", role }));
  adminId = (await mk("ada", "admin")).id;
  operatorId = (await mk("otto", "operator")).id;
  viewerId = (await mk("vic", "viewer")).id;
});

describe("API tokens", () => {
  it("stores only the token's SHA-256 and accepts the token it returned once", async () => {
    const { createApiToken, authenticateBearer, hashApiToken } = await tokens();
    const { token, id } = await createApiToken({ userId: operatorId, name: "ci pipeline", scope: "operate" });
    expect(token).toMatch(/^gw_[A-Za-z0-9_-]{43}$/);
    const { getDb } = await import("@/lib/db/client");
    const row = await getDb().apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).toBe(hashApiToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(3));
    expect(row.prefix).toBe(token.slice(0, 11));
    expect(row.lastUsedAt).toBeNull();

    const auth = await authenticateBearer(bearer(token), "api");
    expect(auth).toEqual({ ok: true, tokenId: id, userId: operatorId, role: "operator", scopes: ["operate"] });
    expect((await getDb().apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeInstanceOf(Date);
  });

  it("refuses a missing, malformed or unknown token with 401", async () => {
    const { authenticateBearer } = await tokens();
    expect(await authenticateBearer(null, "api")).toMatchObject({ ok: false, status: 401, code: "missing_token" });
    expect(await authenticateBearer("Basic YWRhOnB3", "api")).toMatchObject({ ok: false, status: 401, code: "invalid_token" });
    expect(await authenticateBearer("Bearer gw_short", "api")).toMatchObject({ ok: false, status: 401, code: "invalid_token" });
    const unknown = "gw_" + "A".repeat(43);
    expect(await authenticateBearer(bearer(unknown), "api")).toMatchObject({ ok: false, status: 401, code: "invalid_token" });
  });

  it("a metrics token may call only /metrics, and an API token not /metrics", async () => {
    const { createApiToken, authenticateBearer } = await tokens();
    const metrics = await createApiToken({ userId: viewerId, name: "prometheus", scope: "metrics" });
    expect(await authenticateBearer(bearer(metrics.token), "metrics")).toMatchObject({ ok: true, role: "metrics", scopes: ["metrics"] });
    expect(await authenticateBearer(bearer(metrics.token), "api")).toMatchObject({ ok: false, status: 403, code: "insufficient_scope" });
    const api = await createApiToken({ userId: adminId, name: "admin script", scope: "admin" });
    expect(await authenticateBearer(bearer(api.token), "metrics")).toMatchObject({ ok: false, status: 403, code: "insufficient_scope" });
  });

  it("refuses a scope above the creator's role", async () => {
    const { createApiToken, scopesFor } = await tokens();
    expect(scopesFor("viewer")).toEqual(["metrics", "read"]);
    expect(scopesFor("operator")).toEqual(["metrics", "read", "operate"]);
    await expect(createApiToken({ userId: viewerId, name: "too much", scope: "operate" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createApiToken({ userId: operatorId, name: "too much", scope: "admin" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(createApiToken({ userId: operatorId, name: "  ", scope: "read" })).rejects.toMatchObject({
      code: "validation",
      fieldErrors: { name: expect.any(String) },
    });
    await expect(
      createApiToken({ userId: operatorId, name: "past", scope: "read", expiresAt: new Date(Date.now() - 1000) }),
    ).rejects.toMatchObject({ code: "validation", fieldErrors: { expiresAt: expect.any(String) } });
  });

  it("refuses a revoked token at once, and an expired one", async () => {
    const { createApiToken, authenticateBearer, revokeApiToken } = await tokens();
    const { getUserById } = await import("@/lib/db/users");
    const t = await createApiToken({ userId: operatorId, name: "to revoke", scope: "read" });
    expect(await authenticateBearer(bearer(t.token), "api")).toMatchObject({ ok: true, role: "viewer" });
    // A viewer cannot revoke someone else's token; its owner (or an admin) can.
    await expect(revokeApiToken((await getUserById(viewerId))!, t.id)).rejects.toMatchObject({ code: "not_found" });
    await revokeApiToken((await getUserById(operatorId))!, t.id);
    expect(await authenticateBearer(bearer(t.token), "api")).toMatchObject({ ok: false, status: 401, code: "revoked_token" });

    const soon = await createApiToken({ userId: operatorId, name: "short-lived", scope: "read", expiresAt: new Date(Date.now() + 1500) });
    expect(await authenticateBearer(bearer(soon.token), "api")).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 1600));
    expect(await authenticateBearer(bearer(soon.token), "api")).toMatchObject({ ok: false, status: 401, code: "expired_token" });
  });

  it("follows its user: a demoted user's admin token acts as the lower role; a disabled user's token is refused", async () => {
    const { createApiToken, authenticateBearer } = await tokens();
    const { runInTransaction } = await import("@/lib/db/client");
    const { createUser, updateUserRole, setUserDisabled } = await import("@/lib/db/users");
    const u = await runInTransaction((tx) => createUser(tx, { username: "dana", passwordHash: "scrypt$unused", role: "admin" }));
    const t = await createApiToken({ userId: u.id, name: "dana's", scope: "admin" });
    expect(await authenticateBearer(bearer(t.token), "api")).toMatchObject({ ok: true, role: "admin" });
    await runInTransaction((tx) => updateUserRole(tx, u.id, "viewer"));
    expect(await authenticateBearer(bearer(t.token), "api")).toMatchObject({ ok: true, role: "viewer" });
    await runInTransaction((tx) => setUserDisabled(tx, u.id, true));
    expect(await authenticateBearer(bearer(t.token), "api")).toMatchObject({ ok: false, status: 401 });
  });

  it("an API call acts as the token's user with the token's role, named with the token in the audit log", async () => {
    const { createApiToken, authenticateApiCall } = await tokens();
    const t = await createApiToken({ userId: adminId, name: "read only", scope: "read" });
    expect(await authenticateApiCall(bearer(t.token))).toEqual({
      ok: true,
      user: { id: adminId, username: "ada", role: "viewer", disabled: false },
      actor: { id: adminId, username: 'ada (API token "read only")' },
    });
    const m = await createApiToken({ userId: adminId, name: "scraper", scope: "metrics" });
    expect(await authenticateApiCall(bearer(m.token))).toMatchObject({ ok: false, failure: { status: 403, code: "insufficient_scope" } });
  });

  it("audits creation and revocation, without the token", async () => {
    const { createApiToken, revokeApiToken, listVisibleApiTokens } = await tokens();
    const { getUserById } = await import("@/lib/db/users");
    const { listAuditEvents } = await import("@/lib/db/audit");
    const t = await createApiToken({ userId: viewerId, name: "audited", scope: "read" });
    const admin = (await getUserById(adminId))!;
    await revokeApiToken(admin, t.id);
    const events = await listAuditEvents({ targetType: "apiToken", targetId: t.id });
    expect(events.map((e) => [e.action, e.actorName])).toEqual([
      ["apiToken.revoke", "ada"],
      ["apiToken.create", "vic"],
    ]);
    expect(JSON.stringify(events)).not.toContain(t.token.slice(11));
    // Users see their own tokens; admins see everyone's.
    const viewer = (await getUserById(viewerId))!;
    expect((await listVisibleApiTokens(viewer)).every((x) => x.userId === viewerId)).toBe(true);
    expect(new Set((await listVisibleApiTokens(admin)).map((x) => x.userId)).size).toBeGreaterThan(2);
  });
});
