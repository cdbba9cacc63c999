// SSH credentials bound to their gateway's immutable id, on a real database: one sealed
// the old way (bound to the gateway's name) is re-sealed once at start-up, and a renamed
// gateway still opens its own credential.
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

beforeAll(async () => {
  await freshAppDatabase();
});

describe("SSH credentials bound to the gateway id", () => {
  it("re-seals a name-bound credential once, and a rename does not detach it", async () => {
    const { getDb } = await import("@/lib/db/client");
    const { getKeyring, secretPurpose } = await import("@/lib/config/keyring");
    const { encryptSecret } = await import("@/lib/secrets/envelope");
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const { bindSshCredentialsToGatewayIds } = await import("@/lib/inventory/bind-ssh-credentials");
    const { sessionOptionsFor } = await import("@/lib/deploy/connect");
    const { getGatewayForConnection } = await import("@/lib/db/gateways");
    const admin = await createAdmin();
    const key = generateEd25519KeyPair().privateKey;
    const office = (name: string, n: number) => ({
      siteName: `Bind ${name}`,
      subnets: `192.168.${n}.0/24`,
      gatewayName: name,
      platform: "strongswan",
      publicIp: `198.18.90.${n}`,
      sshPort: "22",
      sshUser: "root",
      sshAuthType: "key",
      sshPrivateKey: key,
      wanInterface: "eth0",
      lanInterface: "eth1",
      lanAddress: `192.168.${n}.254`,
      role: "hub",
    });
    await createBranchOffice(admin, office("new-gw", 91));
    await createBranchOffice(admin, office("old-gw", 92));
    const old = (await getDb().gateway.findUnique({ where: { name: "old-gw" } }))!;
    // As a gateway made before the binding changed: sealed with its name.
    await getDb().gateway.update({
      where: { id: old.id },
      data: { sshSecretEnc: encryptSecret(key, getKeyring(), secretPurpose.legacySshCredential("old-gw")) },
    });
    await expect(async () => sessionOptionsFor((await getGatewayForConnection(old.id))!)).rejects.toThrow();

    expect(await bindSshCredentialsToGatewayIds(getKeyring())).toBe(1);
    expect(await bindSshCredentialsToGatewayIds(getKeyring())).toBe(0);
    await getDb().gateway.update({ where: { id: old.id }, data: { name: "renamed-gw" } });
    for (const id of [old.id, (await getDb().gateway.findUnique({ where: { name: "new-gw" } }))!.id]) {
      const opts = sessionOptionsFor((await getGatewayForConnection(id))!);
      expect(opts.credential).toEqual({ type: "key", privateKey: key });
    }
  });
});
