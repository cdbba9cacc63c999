// The master key at start-up, on a real database: once secrets are stored, the server
// refuses to start without the key they were sealed with (missing, replaced, too open)
// instead of making a new one over them; a fresh install gets its key.
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

let dataDir: string;
const keyFile = () => path.join(dataDir, "secret.key");

beforeAll(async () => {
  ({ dataDir } = await freshAppDatabase());
});

describe("verifyMasterKey", () => {
  it("creates the key on an install that stores no secret yet", async () => {
    const { verifyMasterKey } = await import("@/lib/inventory/verify-master-key");
    expect(existsSync(keyFile())).toBe(false);
    await verifyMasterKey();
    expect(existsSync(keyFile())).toBe(true);
  });

  it("refuses to start when secrets are stored and the key is missing, replaced or readable by others; accepts it restored", async () => {
    const { verifyMasterKey } = await import("@/lib/inventory/verify-master-key");
    const { getKeyring } = await import("@/lib/config/keyring");
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const admin = await createAdmin();
    await createBranchOffice(admin, {
      siteName: "Key Test",
      subnets: "192.168.77.0/24",
      gatewayName: "keytest-gw",
      platform: "strongswan",
      publicIp: "198.18.77.1",
      sshPort: "22",
      sshUser: "root",
      sshAuthType: "key",
      sshPrivateKey: generateEd25519KeyPair().privateKey,
      wanInterface: "eth0",
      lanInterface: "eth1",
      lanAddress: "192.168.77.254",
      role: "hub",
    });
    const saved = path.join(dataDir, "secret.key.saved");
    copyFileSync(keyFile(), saved);

    rmSync(keyFile());
    await expect(verifyMasterKey()).rejects.toThrow(
      /1 encrypted secret\(s\) are stored, but the master key cannot be used: There is no master key.*Refusing to start/,
    );
    // Nor does a running process make a new one when the file vanishes.
    expect(() => getKeyring()).toThrow(/no master key/);
    expect(existsSync(keyFile())).toBe(false);

    const other = randomBytes(32).toString("base64");
    writeFileSync(keyFile(), JSON.stringify({ currentId: "other", keys: { other } }), { mode: 0o600 });
    await expect(verifyMasterKey()).rejects.toThrow(/does not decrypt the stored secrets.*Refusing to start/);

    copyFileSync(saved, keyFile());
    chmodSync(keyFile(), 0o644);
    await expect(verifyMasterKey()).rejects.toThrow(/chmod 600/);

    chmodSync(keyFile(), 0o600);
    const ring = await verifyMasterKey();
    expect(JSON.parse(readFileSync(keyFile(), "utf8")).currentId).toBe(ring.currentId);
  });
});
