// `npm run keys:rotate` on a real database, SQLite and PostgreSQL: every secret written
// before the rotation decrypts after it, every envelope is re-encrypted with the new key,
// the old key is retired (kept, no longer current), and a running process's keyring
// follows. A secret that does not decrypt aborts it all: database and key file as before.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs, { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { freshPgDatabase, type TempPgDatabase } from "@/e2e/support/pg-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

const root = path.resolve(import.meta.dirname, "../..");

type Run = { code: number | null; stdout: string; stderr: string };

/** The script as `npm run keys:rotate` runs it, on this test's database and data directory. */
function runScript(env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "scripts/rotate-master-key.ts", ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "error", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(["sqlite", "postgres"] as const)("master key rotation on %s", (provider) => {
  let pg: TempPgDatabase | null = null;
  let dataDir: string;
  let scriptEnv: Record<string, string>;
  let admin: { id: string; username: string };
  let pskOf: Map<string, string>; // tunnel id → the PSK the wizard generated

  const keyFile = () => path.join(dataDir, "secret.key");
  const envelopes = async () => {
    const { getDb } = await import("@/lib/db/client");
    const { listStoredEnvelopes } = await import("@/lib/db/secret-envelopes");
    return listStoredEnvelopes(getDb());
  };
  /** Every stored secret in plain text, decrypted with the ring in the key file now. */
  const plaintexts = async () => {
    const { loadKeyring } = await import("@/lib/secrets/keyring");
    const { decryptSecret } = await import("@/lib/secrets/envelope");
    const { secretPurpose } = await import("@/lib/config/keyring");
    const ring = loadKeyring({ env: {}, dataDir });
    return (await envelopes()).map((s) =>
      decryptSecret(
        s.envelope,
        ring,
        s.kind === "psk"
          ? secretPurpose.psk(s.tunnelId, s.version)
          : s.kind === "alert-channel"
            ? secretPurpose.alertChannel(s.id)
            : s.kind === "named-ssh-credential"
              ? secretPurpose.namedSshCredential(s.id, s.version)
              : secretPurpose.sshCredential(s.id),
      ),
    );
  };

  beforeAll(async () => {
    vi.resetModules();
    delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
    delete (globalThis as { gatewardenKeyring?: unknown }).gatewardenKeyring;
    delete process.env.GATEWARDEN_SECRET_KEY;
    if (provider === "postgres") {
      pg = await freshPgDatabase("gatewarden_keys_test");
      process.env.DATABASE_URL = pg.url;
      process.env.GATEWARDEN_DATA_DIR = mkdtempSync(path.join(tmpdir(), "gatewarden-int-"));
      const { ensureBuiltInProfiles } = await import("@/lib/db/crypto-profiles");
      await ensureBuiltInProfiles();
    } else {
      process.env.DATABASE_URL = ""; // the SQLite file in the data directory, whatever .env says
      await freshAppDatabase();
    }
    dataDir = process.env.GATEWARDEN_DATA_DIR!;
    scriptEnv = { DATABASE_URL: process.env.DATABASE_URL, GATEWARDEN_DATA_DIR: dataDir, GATEWARDEN_SECRET_KEY: "" };
    admin = await createAdmin();

    // A hub and two branches through the wizard: SSH credentials (a key and a password)
    // and a PSK per tunnel, sealed with the key file's key; plus a pending second PSK.
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const { getDb } = await import("@/lib/db/client");
    const db = getDb();
    const site = (i: number, auth: "key" | "password") => ({
      siteName: `Site ${i}`,
      subnets: `10.77.${i}.0/24`,
      gatewayName: `gw${i}`,
      platform: "strongswan",
      publicIp: `203.0.113.${i + 10}`,
      sshPort: "22",
      sshUser: "root",
      sshAuthType: auth,
      ...(auth === "key" ? { sshPrivateKey: generateEd25519KeyPair().privateKey } : { sshPassword: `password of gw${i}` }),
      wanInterface: "eth0",
      lanInterface: "eth1",
      lanAddress: `10.77.${i}.254`,
    });
    await createBranchOffice(admin, { ...site(0, "key"), role: "hub" });
    const hub = await db.gateway.findUniqueOrThrow({ where: { name: "gw0" } });
    const profile = await db.cryptoProfile.findFirstOrThrow({ where: { name: "Modern" } });
    await createBranchOffice(admin, { ...site(1, "key"), role: "branch", hubGatewayId: hub.id, cryptoProfileId: profile.id });
    await createBranchOffice(admin, { ...site(2, "password"), role: "branch", hubGatewayId: hub.id, cryptoProfileId: profile.id });
    const { revealPsk } = await import("@/lib/inventory/reveal-psk");
    const tunnels = await db.tunnel.findMany({ orderBy: { id: "asc" }, select: { id: true } });
    expect(tunnels).toHaveLength(2);
    pskOf = new Map();
    for (const t of tunnels) pskOf.set(t.id, (await revealPsk(admin, t.id)).psk); // also loads this process's keyring
    const { encryptSecret } = await import("@/lib/secrets/envelope");
    const { getKeyring, secretPurpose } = await import("@/lib/config/keyring");
    const { createPendingKey } = await import("@/lib/db/rotation");
    await createPendingKey(
      tunnels[0]!.id,
      2,
      encryptSecret("a pending key, version 2", getKeyring(), secretPurpose.psk(tunnels[0]!.id, 2)),
    );
    // An alert webhook's signing key is a secret at rest like the others.
    const { createAlertChannel } = await import("@/lib/alerts/manage-alerts");
    await createAlertChannel(admin, {
      name: "hook",
      kind: "webhook",
      url: "https://hooks.example.net/x",
      secret: "signing key of the hook",
    });
    // A named SSH credential's key and the next key of a rotation in progress, and a
    // gateway signing in with it (which stores no secret of its own).
    const { createSshCredential } = await import("@/lib/credentials/ssh-credentials");
    const { setNextKey } = await import("@/lib/db/ssh-credentials");
    const cred = await createSshCredential(admin, { name: "fleet", mode: "generate", privateKey: "", authorizedKeysPath: "" });
    await setNextKey(cred.id, 1, {
      enc: encryptSecret("the next key of fleet", getKeyring(), secretPurpose.namedSshCredential(cred.id, 2)),
      publicKey: generateEd25519KeyPair().publicKey,
    });
    await createBranchOffice(admin, { ...site(3, "key"), sshAuthType: "credential", sshCredentialId: cred.id, role: "hub" });
    expect(await envelopes()).toHaveLength(3 + 3 + 1 + 2);
  });

  afterAll(async () => {
    const { getDb } = await import("@/lib/db/client");
    await getDb().$disconnect();
    delete (globalThis as { gatewardenDb?: unknown }).gatewardenDb;
    delete (globalThis as { gatewardenKeyring?: unknown }).gatewardenKeyring;
    delete process.env.DATABASE_URL;
    await pg?.drop();
  });

  it("a secret that does not decrypt aborts it all: the database, the key file and the current key stay as they were", async () => {
    const { encryptSecret } = await import("@/lib/secrets/envelope");
    const { secretPurpose } = await import("@/lib/config/keyring");
    const { getDb } = await import("@/lib/db/client");
    // The last envelope the rotation reaches, sealed with a key the ring does not have:
    // every other one has been re-encrypted inside the transaction by then.
    const all = await envelopes();
    const last = all.at(-1)!;
    if (last.kind !== "alert-channel") throw new Error("expected the alert channel's secret last");
    const stranger = { currentId: "stranger", keys: new Map([["stranger", randomBytes(32)]]) };
    await getDb().alertChannel.update({
      where: { id: last.id },
      data: { secretEnc: encryptSecret("?", stranger, secretPurpose.alertChannel(last.id)) },
    });
    try {
      const before = await envelopes();
      const fileBefore = fs.readFileSync(keyFile(), "utf8");

      const run = await runScript(scriptEnv);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("keys:rotate: failed; nothing changed (the database and the key file are as they were).");
      expect(run.stderr).toContain(
        `the secret of alert channel ${last.channelName}: Secret was encrypted with key "stranger", which is not in the keyring`,
      );
      expect(await envelopes()).toEqual(before);
      expect(fs.readFileSync(keyFile(), "utf8")).toBe(fileBefore);
      expect(fs.readdirSync(dataDir).filter((f) => f.startsWith("secret.key"))).toEqual(["secret.key"]); // no lock or temp file left

      // The same through the use case in this process.
      const { rotateMasterKeyAndSecrets } = await import("@/lib/inventory/rotate-master-key");
      await expect(rotateMasterKeyAndSecrets({})).rejects.toMatchObject({ code: "unknown-key" });
      expect(await envelopes()).toEqual(before);
      expect(fs.readFileSync(keyFile(), "utf8")).toBe(fileBefore);
    } finally {
      await getDb().alertChannel.update({ where: { id: last.id }, data: { secretEnc: last.envelope } });
    }
    // The old key is still the one in use.
    const { revealPsk } = await import("@/lib/inventory/reveal-psk");
    for (const [tunnelId, psk] of pskOf) expect((await revealPsk(admin, tunnelId)).psk).toBe(psk);
  });

  it("re-encrypts every secret with a new key and retires the old one; a running process follows", async () => {
    const { loadKeyring } = await import("@/lib/secrets/keyring");
    const { envelopeKeyId } = await import("@/lib/secrets/envelope");
    const ringBefore = loadKeyring({ env: {}, dataDir });
    const before = await envelopes();
    const secretsBefore = await plaintexts();
    expect(new Set(before.map((s) => envelopeKeyId(s.envelope)))).toEqual(new Set([ringBefore.currentId]));

    const run = await runScript(scriptEnv);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const ringAfter = loadKeyring({ env: {}, dataDir });
    expect(ringAfter.currentId).not.toBe(ringBefore.currentId);
    expect(run.stdout).toContain(
      `keys:rotate: key ${ringAfter.currentId} is the master key now (${keyFile()}); re-encrypted 5 SSH credential(s), 3 pre-shared key(s) and 1 alert channel secret(s) in one transaction.`,
    );
    expect(run.stdout).toContain(`key ${ringBefore.currentId} is retired`);

    // Retired, not gone: the old key is still in the file, byte for byte.
    expect(ringAfter.keys.get(ringBefore.currentId)?.equals(ringBefore.keys.get(ringBefore.currentId)!)).toBe(true);
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    const after = await envelopes();
    expect(after.map((s) => s.id)).toEqual(before.map((s) => s.id));
    after.forEach((s, i) => {
      expect(s.envelope).not.toBe(before[i]!.envelope);
      expect(envelopeKeyId(s.envelope)).toBe(ringAfter.currentId);
    });
    expect(await plaintexts()).toEqual(secretsBefore);

    // This process loaded its keyring before the rotation; it reloads the file by itself.
    const { revealPsk } = await import("@/lib/inventory/reveal-psk");
    for (const [tunnelId, psk] of pskOf) expect((await revealPsk(admin, tunnelId)).psk).toBe(psk);
    const { getKeyring } = await import("@/lib/config/keyring");
    expect(getKeyring().currentId).toBe(ringAfter.currentId);
  });

  it("with the key in GATEWARDEN_SECRET_KEY, re-encrypts with it once the operator has swapped keys there", async () => {
    const { loadKeyring } = await import("@/lib/secrets/keyring");
    const { envelopeKeyId } = await import("@/lib/secrets/envelope");
    const { rotateMasterKeyAndSecrets } = await import("@/lib/inventory/rotate-master-key");
    const fileRing = loadKeyring({ env: {}, dataDir });
    const secretsBefore = await plaintexts();
    const fileBefore = fs.readFileSync(keyFile(), "utf8");
    const env = {
      GATEWARDEN_SECRET_KEY: randomBytes(32).toString("base64"),
      GATEWARDEN_PREVIOUS_SECRET_KEYS: [...fileRing.keys].map(([id, key]) => `${id}:${key.toString("base64")}`).join(","),
    };
    const envRing = loadKeyring({ env });

    const r = await rotateMasterKeyAndSecrets(env);
    expect(r).toEqual({
      source: "environment",
      keyId: envRing.currentId,
      counts: { sshCredentials: 5, psks: 3, alertChannelSecrets: 1, alreadyCurrent: 0 },
    });
    expect((await envelopes()).every((s) => envelopeKeyId(s.envelope) === envRing.currentId)).toBe(true);
    expect(fs.readFileSync(keyFile(), "utf8")).toBe(fileBefore); // the key file is not the source here

    const again = await runScript({ ...scriptEnv, ...env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `the master key comes from GATEWARDEN_SECRET_KEY (key ${envRing.currentId}) and every secret already uses it, so nothing changed.`,
    );

    // Back to the key file's key, so the secrets read the same through either ring.
    await rotateMasterKeyAndSecrets({
      GATEWARDEN_SECRET_KEY: fileRing.keys.get(fileRing.currentId)!.toString("base64"),
      GATEWARDEN_SECRET_KEY_ID: fileRing.currentId,
      GATEWARDEN_PREVIOUS_SECRET_KEYS: `${envRing.currentId}:${env.GATEWARDEN_SECRET_KEY}`,
    });
    expect(await plaintexts()).toEqual(secretsBefore);
  });
});

describe("npm run keys:rotate's command line", () => {
  it("refuses an unknown option with the usage and exit code 2, touching nothing", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "gatewarden-int-"));
    try {
      const { loadKeyring } = await import("@/lib/secrets/keyring");
      loadKeyring({ env: {}, dataDir, create: true });
      const fileBefore = fs.readFileSync(path.join(dataDir, "secret.key"), "utf8");
      const run = await runScript({ DATABASE_URL: "", GATEWARDEN_DATA_DIR: dataDir, GATEWARDEN_SECRET_KEY: "" }, ["--force"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^keys:rotate: Unknown option '--force'\nusage: npm run keys:rotate/);
      expect(fs.readdirSync(dataDir)).toEqual(["secret.key"]);
      expect(fs.readFileSync(path.join(dataDir, "secret.key"), "utf8")).toBe(fileBefore);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
