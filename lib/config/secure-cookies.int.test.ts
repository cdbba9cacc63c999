// The session cookie is Secure unless Gatewarden is reached on loopback, whatever a
// client claims in X-Forwarded-Proto: the public URL decides (lib/config/public-web.ts).
// Real SQLite database and the real startSession; Next's cookie jar is stood in for.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";

const jar = vi.hoisted(() => ({ set: [] as { name: string; options: Record<string, unknown> }[], forwardedProto: null as string | null }));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: () => undefined,
    set: (name: string, _value: string, options: Record<string, unknown>) => jar.set.push({ name, options }),
    delete: () => {},
  }),
  headers: async () => new Headers(jar.forwardedProto ? { "x-forwarded-proto": jar.forwardedProto } : {}),
}));

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  jar.set = [];
  jar.forwardedProto = null;
});

async function sessionCookie(env: Record<string, string>, forwardedProto: string | null = null) {
  vi.resetModules();
  delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
  delete process.env.DATABASE_URL;
  for (const k of ["GATEWARDEN_PUBLIC_URL", "GATEWARDEN_SECURE_COOKIES", "HOST", "PORT"]) delete process.env[k];
  Object.assign(process.env, env);
  await freshAppDatabase();
  const admin = await createAdmin();
  jar.forwardedProto = forwardedProto;
  jar.set = [];
  const { startSession } = await import("@/lib/auth/session");
  await startSession(admin.id);
  const { getDb } = await import("@/lib/db/client");
  await getDb().$disconnect();
  return jar.set.find((c) => c.name === "gw_session")!.options;
}

describe("the session cookie", () => {
  it("is Secure for an https public URL, even when a client says X-Forwarded-Proto: http", async () => {
    expect(await sessionCookie({ GATEWARDEN_PUBLIC_URL: "https://gatewarden.example.net", HOST: "0.0.0.0" }, "http")).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "lax",
    });
  });

  it("is not Secure on loopback (plain http://127.0.0.1), even when a client says X-Forwarded-Proto: https", async () => {
    expect(await sessionCookie({ HOST: "127.0.0.1", PORT: "3000" }, "https")).toMatchObject({
      secure: false,
      httpOnly: true,
      sameSite: "lax",
    });
  });

  it("follows GATEWARDEN_SECURE_COOKIES when it is set", async () => {
    expect(await sessionCookie({ HOST: "127.0.0.1", GATEWARDEN_SECURE_COOKIES: "true" })).toMatchObject({ secure: true });
    expect(
      await sessionCookie({ GATEWARDEN_PUBLIC_URL: "https://gatewarden.example.net", GATEWARDEN_SECURE_COOKIES: "false" }),
    ).toMatchObject({ secure: false });
  });
});
