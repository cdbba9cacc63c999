// When the database cannot be written (made immutable here, as a read-only mount or a
// full disk would), a form action answers with a message for the form instead of
// throwing to the error page, which would replace the form and lose what was typed.
// Real SQLite database, real session, the real wrapped actions; root for chattr.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

const session = vi.hoisted(() => ({ token: null as string | null }));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (name === "gw_session" && session.token ? { name, value: session.token } : undefined),
    set: () => {},
    delete: () => {},
  }),
  headers: async () => new Headers(),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

let dataDir = "";
let frozen: string[] = [];
const freeze = () => {
  frozen = [path.join(dataDir, "gatewarden.db"), dataDir];
  execFileSync("chattr", ["+i", ...frozen]);
};
const thaw = () => {
  if (frozen.length) execFileSync("chattr", ["-i", ...frozen]);
  frozen = [];
};

const form = (fields: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
};
const PROFILE = {
  name: "Unwritable test",
  ikeVersion: "2",
  "ike.encryption": "aes256",
  "ike.integrity": "sha256",
  "ike.dhGroup": "14",
  "esp.encryption": "aes256",
  "esp.integrity": "sha256",
  "esp.pfsGroup": "14",
  ikeLifetimeSeconds: "28800",
  childLifetimeSeconds: "3600",
};
const SITE = {
  siteName: "Unwritable HQ",
  subnets: "10.71.0.0/24",
  gatewayName: "unwritable-gw",
  platform: "strongswan",
  publicIp: "198.18.71.10",
  sshPort: "22",
  sshUser: "root",
  sshAuthType: "key",
  sshPrivateKey: generateEd25519KeyPair().privateKey,
  wanInterface: "eth0",
  lanInterface: "eth1",
  lanAddress: "10.71.0.254",
  role: "hub",
};

async function counts() {
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  return { sites: await db.site.count(), profiles: await db.cryptoProfile.count(), audit: await db.auditEvent.count() };
}

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  ({ dataDir } = await freshAppDatabase());
  const admin = await createAdmin();
  // As the server does at start (lib/startup.ts): the master key exists before any form.
  (await import("@/lib/config/keyring")).getKeyring();
  const { issueSession } = await import("@/lib/auth/issue-session");
  session.token = (await issueSession(admin.id)).token;
});

afterAll(async () => {
  thaw();
  const { getDb } = await import("@/lib/db/client");
  await getDb().$disconnect();
});

describe("a form submitted while the database cannot be written", () => {
  it.each([
    ["the crypto profile form", "app/(dash)/profiles/actions.ts", "addCryptoProfileAction", PROFILE],
    ["the branch-office wizard", "app/(dash)/sites/new/actions.ts", "addBranchOffice", SITE],
  ])("%s gets a message for the form, and the same submission works once storage is back", async (_label, file, name, fields) => {
    const mod = (await import(/* @vite-ignore */ path.resolve(import.meta.dirname, "../..", file))) as Record<
      string,
      (prev: unknown, fd: FormData) => Promise<{ ok: boolean; message?: string }>
    >;
    const submit = () => mod[name]!({ ok: false }, form(fields));
    const before = await counts();
    freeze();
    let refused: { ok: boolean; message?: string };
    try {
      refused = await submit();
    } finally {
      thaw();
    }
    expect(refused).toEqual({ ok: false, message: expect.stringMatching(/could not save this: its database cannot be written/) });
    expect(refused.message).toMatch(/Nothing was saved/);
    expect(await counts()).toEqual(before);
    expect(await submit()).toMatchObject({ ok: true });
  });
});
