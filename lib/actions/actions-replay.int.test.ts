// Every server action under app/ replayed the way an attacker would send it: signed out,
// as each role, and with malformed arguments (objects where ids are expected, numbers,
// arrays, a FormData for a string, strings where a form is expected, extra arguments).
// Each must come back as a refusal the page can show — never an exception (a 500), never
// a query that matched the whole fleet, never a row written. Real SQLite database and
// real sessions; only Next's request scope (cookies, revalidation) is stood in for.
import { readdirSync, readFileSync } from "node:fs";
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

type Role = "admin" | "operator" | "viewer";
type ArgKind = "id" | "fingerprint" | "prev" | "form" | "session" | "flag" | "step";
/**
 * audited: a valid call by a role it allows is a change of the caller's own (ending
 * their other sessions, of which they have none here), recorded as one audit row.
 */
type Case = { roles: Role[]; args: ArgKind[]; audited?: true };
const EVERYONE: Role[] = ["admin", "operator", "viewer"];

/** Who may run each action, and its arguments. Every action exported under app/ must be here. */
const ACTIONS: Record<string, Case> = {
  "app/(dash)/delete-actions.ts#deleteTunnelAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/delete-actions.ts#deleteSiteAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/gateways/[id]/gateway-actions.ts#checkHostKeyAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/gateways/[id]/gateway-actions.ts#acceptHostKeyAction": { roles: ["admin"], args: ["id", "fingerprint"] },
  "app/(dash)/gateways/[id]/gateway-actions.ts#deployPendingAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/gateways/[id]/gateway-actions.ts#updateSshAccessAction": { roles: ["admin", "operator"], args: ["id", "prev", "form"] },
  "app/(dash)/gateways/[id]/gateway-actions.ts#convertGatewayKeyAction": { roles: ["admin"], args: ["id", "prev", "form"] },
  "app/(dash)/profiles/actions.ts#addCryptoProfileAction": { roles: ["admin"], args: ["prev", "form"] },
  "app/(dash)/profiles/actions.ts#editCryptoProfileAction": { roles: ["admin"], args: ["id", "prev", "form"] },
  "app/(dash)/profiles/actions.ts#cloneCryptoProfileAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/profiles/actions.ts#deleteCryptoProfileAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/sites/[id]/site-actions.ts#setProbeTargetAction": { roles: ["admin", "operator"], args: ["id", "prev", "form"] },
  "app/(dash)/sites/new/actions.ts#addBranchOffice": { roles: ["admin", "operator"], args: ["prev", "form"] },
  "app/(dash)/sites/new/actions.ts#checkBranchOfficeStepAction": { roles: ["admin", "operator"], args: ["step", "form"] },
  "app/(dash)/tunnels/[id]/actions.ts#revealTunnelPsk": { roles: ["admin"], args: ["id"] },
  "app/(dash)/tunnels/[id]/health-actions.ts#checkTunnelHealthAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/tunnels/[id]/job-actions.ts#deployTunnelAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/tunnels/[id]/job-actions.ts#dryRunTunnelAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/tunnels/[id]/job-actions.ts#teardownTunnelAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/tunnels/new/actions.ts#addTunnel": { roles: ["admin", "operator"], args: ["prev", "form"] },
  "app/(dash)/tunnels/rotate-actions.ts#rotateTunnelPskAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/tunnels/rotate-actions.ts#rotateSitePsksAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/tunnels/rotate-actions.ts#rotateAllPsksAction": { roles: ["admin", "operator"], args: [] },
  "app/(dash)/tunnels/rotate-actions.ts#repairTunnelAction": { roles: ["admin", "operator"], args: ["id"] },
  "app/(dash)/users/actions.ts#addUserAction": { roles: ["admin"], args: ["prev", "form"] },
  "app/(dash)/users/actions.ts#changeRoleAction": { roles: ["admin"], args: ["id", "prev", "form"] },
  "app/(dash)/users/actions.ts#resetPasswordAction": { roles: ["admin"], args: ["id", "prev", "form"] },
  "app/(dash)/users/actions.ts#setDisabledAction": { roles: ["admin"], args: ["id", "flag"] },
  "app/(dash)/users/actions.ts#endUserSessionsAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/users/actions.ts#clearSignInDelayAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/users/actions.ts#deleteUserAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/settings/actions.ts#changePasswordAction": { roles: EVERYONE, args: ["prev", "form"] },
  "app/(dash)/settings/actions.ts#endSessionAction": { roles: EVERYONE, args: ["session"] },
  "app/(dash)/settings/actions.ts#endOtherSessionsAction": { roles: EVERYONE, args: [], audited: true },
  "app/(dash)/alerts/actions.ts#addAlertChannelAction": { roles: ["admin"], args: ["prev", "form"] },
  "app/(dash)/alerts/actions.ts#setAlertChannelEnabledAction": { roles: ["admin"], args: ["id", "flag"] },
  "app/(dash)/alerts/actions.ts#deleteAlertChannelAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/alerts/actions.ts#addAlertRuleAction": { roles: ["admin"], args: ["prev", "form"] },
  "app/(dash)/alerts/actions.ts#setAlertRuleEnabledAction": { roles: ["admin"], args: ["id", "flag"] },
  "app/(dash)/alerts/actions.ts#deleteAlertRuleAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/alerts/actions.ts#setPskMaxAgeAction": { roles: ["admin"], args: ["prev", "form"] },
  "app/(dash)/alerts/actions.ts#saveRotationScheduleAction": { roles: ["admin"], args: ["prev", "form"] },
  "app/(dash)/settings/tokens/actions.ts#createTokenAction": { roles: EVERYONE, args: ["prev", "form"] },
  "app/(dash)/settings/tokens/actions.ts#revokeTokenAction": { roles: EVERYONE, args: ["id"] },
  "app/(dash)/settings/ssh-credentials/actions.ts#createCredentialAction": { roles: ["admin"], args: ["prev", "form"] },
  "app/(dash)/settings/ssh-credentials/actions.ts#rotateCredentialAction": { roles: ["admin"], args: ["id"] },
  "app/(dash)/settings/ssh-credentials/actions.ts#deleteCredentialAction": { roles: ["admin"], args: ["id"] },
};

/**
 * Sign-in, first-run setup and sign-out run before a session exists (publicAction): no
 * role check, but the same argument validation. "optional-form": the sign-out form's
 * FormData, which may be left out.
 */
type PublicArgKind = "prev" | "form" | "optional-form";
const PUBLIC_ACTIONS: Record<string, PublicArgKind[]> = {
  "app/(auth)/actions.ts#signIn": ["prev", "form"],
  "app/(auth)/actions.ts#setupAdmin": ["prev", "form"],
  "app/(auth)/actions.ts#signOut": ["optional-form"],
};

const PUBLIC_ACTION_MODULES = new Set(Object.keys(PUBLIC_ACTIONS).map((key) => key.split("#")[0]!));

const root = path.resolve(import.meta.dirname, "../..");
function serverActionModules(dir = path.join(root, "app")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return serverActionModules(p);
    if (!/\.tsx?$/.test(e.name) || e.name.endsWith(".test.ts")) return [];
    return /^\s*["']use server["']/.test(readFileSync(p, "utf8")) ? [path.relative(root, p)] : [];
  });
}

type Action = (...args: unknown[]) => Promise<unknown>;
const loaded = new Map<string, Action>();
async function action(key: string): Promise<Action> {
  if (!loaded.has(key)) {
    const [file, name] = key.split("#") as [string, string];
    const mod = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, Action>;
    expect(mod[name], `${key} is exported`).toBeTypeOf("function");
    loaded.set(key, mod[name]!);
  }
  return loaded.get(key)!;
}

const tokens: Partial<Record<Role, string>> = {};
let gatewayNames: string[] = [];
let siteNames: string[] = [];

async function snapshot() {
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  const [sites, subnets, gateways, tunnels, keys, profiles, users, jobs, audit, gatewayRows, tunnelRows, apiTokens] = await Promise.all([
    db.site.count(),
    db.subnet.count(),
    db.gateway.count(),
    db.tunnel.count(),
    db.presharedKey.count(),
    db.cryptoProfile.count(),
    db.user.count(),
    db.job.count(),
    db.auditEvent.count(),
    db.gateway.findMany({
      select: { id: true, sshHost: true, sshPort: true, hostKeyFingerprint: true, hostKeySeen: true },
      orderBy: { id: "asc" },
    }),
    db.tunnel.findMany({ select: { id: true, deployState: true }, orderBy: { id: "asc" } }),
    db.apiToken.count(),
  ]);
  return { sites, subnets, gateways, tunnels, keys, profiles, users, jobs, audit, gatewayRows, tunnelRows, apiTokens };
}

/** Runs an action as `who`; an exception is a failure of this test (it would be a 500). */
async function replay(who: Role | null, key: string, args: unknown[]): Promise<{ ok?: boolean; message?: string }> {
  session.token = who ? tokens[who]! : null;
  const fn = await action(key);
  let result: unknown;
  try {
    result = await fn(...args);
  } catch (e) {
    throw new Error(
      `${key} threw instead of refusing (${who ?? "signed out"}, ${JSON.stringify(args, (_k, v) => (v instanceof FormData ? "FormData" : v))}): ${String(e)}`,
    );
  }
  expect(result, `${key} answers with a result object`).toBeTypeOf("object");
  return result as { ok?: boolean; message?: string };
}

function expectRefusal(r: { ok?: boolean; message?: string }, key: string) {
  expect(r.ok, `${key} refused`).toBe(false);
  expect(r.message, `${key} says why`).toBeTypeOf("string");
  // A query that matched the whole fleet names it: no refusal may list inventory.
  for (const name of [...gatewayNames, ...siteNames]) expect(r.message, `${key} leaks ${name}`).not.toContain(name);
}

const form = (fields: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
};
const MISSING_ID = "c0000000000000000000nothing";
const MISSING_FP = "SHA256:C9sPZd6q/2FeqNoLGP6p4+YIulYSav3gFNq1VfMSbPM";
const MISSING_SESSION = "0".repeat(64);
const VALID: Record<ArgKind, unknown> = {
  id: MISSING_ID,
  fingerprint: MISSING_FP,
  prev: { ok: false },
  form: form({}),
  session: MISSING_SESSION,
  flag: true,
  step: 0,
};
const MALFORMED: Record<Exclude<ArgKind, "prev">, unknown[]> = {
  session: [
    { not: "x" },
    { in: [MISSING_SESSION] },
    [MISSING_SESSION],
    42,
    null,
    undefined,
    "",
    "x".repeat(5_000),
    MISSING_SESSION.toUpperCase(),
    `${MISSING_SESSION}0`,
    form({}),
  ],
  flag: ["true", "false", 1, 0, null, undefined, { not: true }, [true], form({})],
  step: ["0", -1, 4, 1.5, null, undefined, { not: 0 }, [0], form({})],
  id: [
    { not: "x" },
    { in: [MISSING_ID] },
    { contains: "" },
    [MISSING_ID],
    42,
    null,
    undefined,
    true,
    "",
    "x".repeat(5_000),
    "' OR 1=1 --",
    form({ id: "x" }),
  ],
  fingerprint: [{ not: "x" }, ["SHA256:x"], 7, null, "", "x".repeat(5_000), form({})],
  form: [{ siteName: "Evil", subnets: "0.0.0.0/0" }, "siteName=Evil", null, undefined, 1, [["siteName", "Evil"]]],
};

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  const admin = await createAdmin();
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  const { runInTransaction, getDb } = await import("@/lib/db/client");
  const { createUser } = await import("@/lib/db/users");
  const { issueSession } = await import("@/lib/auth/issue-session");
  const db = getDb();
  const key = generateEd25519KeyPair().privateKey;
  const gw = {
    platform: "strongswan",
    sshPort: "22",
    sshUser: "root",
    sshAuthType: "key",
    sshPrivateKey: key,
    wanInterface: "eth0",
    lanInterface: "eth1",
  };
  await createBranchOffice(admin, {
    ...gw,
    siteName: "Replay HQ",
    subnets: "10.61.0.0/24",
    gatewayName: "replay-hq-gw",
    publicIp: "198.18.61.10",
    lanAddress: "10.61.0.254",
    role: "hub",
  });
  const hub = await db.gateway.findUniqueOrThrow({ where: { name: "replay-hq-gw" } });
  const profile = await db.cryptoProfile.findFirstOrThrow({ where: { name: "Modern" } });
  for (const n of [1, 2]) {
    await createBranchOffice(admin, {
      ...gw,
      siteName: `Replay branch ${n}`,
      subnets: `10.61.${n}.0/24`,
      gatewayName: `replay-b${n}-gw`,
      publicIp: `198.18.61.${10 + n}`,
      lanAddress: `10.61.${n}.254`,
      role: "branch",
      hubGatewayId: hub.id,
      cryptoProfileId: profile.id,
    });
  }
  // Host keys pinned and nothing deployed: a deploy or rotation that matched every row
  // would queue a job for the whole fleet.
  await db.gateway.updateMany({ data: { hostKeyFingerprint: MISSING_FP } });
  gatewayNames = (await db.gateway.findMany({ select: { name: true } })).map((g) => g.name);
  siteNames = (await db.site.findMany({ select: { name: true } })).map((s) => s.name);
  for (const role of ["admin", "operator", "viewer"] as const) {
    const user =
      role === "admin" ? admin : await runInTransaction((tx) => createUser(tx, { username: `replay-${role}`, passwordHash: "x", role }));
    tokens[role] = (await issueSession(user.id)).token;
  }
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client");
  await getDb().$disconnect();
});

describe("server actions", () => {
  it("every action under app/ is in this test's tables, and goes through the action wrapper", async () => {
    const { isWrappedAction } = await import("@/lib/actions/action-client");
    const found: string[] = [];
    const foundPublic: string[] = [];
    for (const file of serverActionModules()) {
      const mod = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value !== "function") continue;
        (PUBLIC_ACTION_MODULES.has(file) ? foundPublic : found).push(`${file}#${name}`);
        expect(isWrappedAction(value), `${file}#${name} is made with lib/actions/action-client`).toBe(true);
      }
    }
    expect(found.sort()).toEqual(Object.keys(ACTIONS).sort());
    expect(foundPublic.sort()).toEqual(Object.keys(PUBLIC_ACTIONS).sort());
  });

  describe.each(Object.entries(ACTIONS))("%s", (key, c) => {
    const valid = () => c.args.map((a) => VALID[a]);

    it("refuses a signed-out caller and every role it does not allow; allows the others", async () => {
      const before = await snapshot();
      expectRefusal(await replay(null, key, valid()), key);
      for (const role of ["admin", "operator", "viewer"] as const) {
        const r = await replay(role, key, valid());
        if (c.roles.includes(role)) {
          expect(r.message ?? "", `${key} lets ${role} through`).not.toMatch(/Your role does not allow|sign in/i);
        } else {
          expectRefusal(r, key);
          expect(r.message, `${key} refuses ${role}`).toMatch(/Your role does not allow/);
        }
      }
      expect(await snapshot()).toEqual(c.audited ? { ...before, audit: before.audit + c.roles.length } : before);
    });

    it("refuses malformed arguments from a role that may run it, writing nothing", async () => {
      const role = c.roles[0]!;
      const before = await snapshot();
      for (let i = 0; i < c.args.length; i++) {
        const kind = c.args[i]!;
        if (kind === "prev") continue;
        for (const bad of MALFORMED[kind]) {
          const args = valid();
          args[i] = bad;
          expectRefusal(await replay(role, key, args), key);
        }
      }
      expectRefusal(await replay(role, key, [...valid(), MISSING_ID]), key);
      if (c.args.length > 0) expectRefusal(await replay(role, key, []), key);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe.each(Object.entries(PUBLIC_ACTIONS))("%s (public)", (key, kinds) => {
    const valid = () => kinds.map((k) => (k === "prev" ? VALID.prev : form({})));

    it("refuses malformed arguments, signed out or signed in, writing nothing", async () => {
      const before = await snapshot();
      for (const who of [null, "viewer"] as const) {
        for (let i = 0; i < kinds.length; i++) {
          const kind = kinds[i]!;
          if (kind === "prev") continue;
          // An optional form may be left out; anything else in its place is refused.
          const bad = kind === "optional-form" ? MALFORMED.form.filter((v) => v !== undefined) : MALFORMED.form;
          for (const value of bad) {
            const args = valid();
            args[i] = value;
            expectRefusal(await replay(who, key, args), key);
          }
        }
        expectRefusal(await replay(who, key, [...valid(), MISSING_ID]), key);
        if (!kinds.includes("optional-form")) expectRefusal(await replay(who, key, []), key);
      }
      expect(await snapshot()).toEqual(before);
    });
  });
});
