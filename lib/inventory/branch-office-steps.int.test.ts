// The wizard answers in one round: every rule of the final submit (field syntax, the
// SSH credential, addresses against the LAN, names and addresses against the stored
// inventory, the tunnel to the hub) reports at once, and the per-step check used by
// Next runs the same rules for the steps reached, writing nothing. Real SQLite database.
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

let actor: { id: string; username: string };
let hubGatewayId = "";
let legacyProfileId = "";

const gatewayFields = {
  platform: "strongswan",
  sshPort: "22",
  sshUser: "root",
  sshAuthType: "key",
  sshPrivateKey: generateEd25519KeyPair().privateKey,
  wanInterface: "eth0",
  lanInterface: "eth1",
};
const HUB = { siteName: "HQ", subnets: "10.7.0.0/24", gatewayName: "hq-gw", publicIp: "198.18.251.10", lanAddress: "10.7.0.254" };

async function counts() {
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  return Promise.all([db.site.count(), db.gateway.count(), db.tunnel.count(), db.auditEvent.count()]);
}

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  actor = await createAdmin();
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  const { getDb } = await import("@/lib/db/client");
  await createBranchOffice(actor, { ...gatewayFields, ...HUB, role: "hub" });
  hubGatewayId = (await getDb().gateway.findUniqueOrThrow({ where: { name: HUB.gatewayName } })).id;
  legacyProfileId = (await getDb().cryptoProfile.findFirstOrThrow({ where: { name: "Article (legacy)" } })).id;
});

/** Everything wrong at once, one mistake per step and kind of rule. */
const BAD = {
  ...gatewayFields,
  siteName: "", // step 1, field syntax
  subnets: "10.8.0.0/24",
  gatewayName: "hq-gw", // step 2, taken (database)
  publicIp: "198.18.251.20",
  lanAddress: "10.9.0.1", // step 2, not on the LAN (cross-field)
  sshPrivateKey: "not a key", // step 3, the credential
  role: "branch",
  hubGatewayId: "",
  cryptoProfileId: "",
  pskMode: "custom",
  pskValue: "short", // step 4
};

describe("the branch-office wizard's checks", () => {
  it("the final submit reports every step's errors in one round and writes nothing", async () => {
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const { ValidationError } = await import("@/lib/errors");
    const before = await counts();
    const error = await createBranchOffice(actor, BAD).then(
      () => expect.unreachable("expected a refusal"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    const fieldErrors = (error as InstanceType<typeof ValidationError>).fieldErrors;
    expect(Object.keys(fieldErrors).sort()).toEqual(
      ["siteName", "gatewayName", "lanAddress", "sshPrivateKey", "hubGatewayId", "cryptoProfileId", "pskValue"].sort(),
    );
    expect(fieldErrors.gatewayName).toMatch(/already exists/);
    expect(fieldErrors.lanAddress).toMatch(/is not inside 10\.8\.0\.0\/24/);
    expect(await counts()).toEqual(before);
  });

  it("Next on each step answers for the steps reached so far, with the submit's rules", async () => {
    const { checkBranchOfficeStep } = await import("@/lib/inventory/branch-office");
    const before = await counts();
    expect(Object.keys(await checkBranchOfficeStep(BAD, 0))).toEqual(["siteName"]);
    expect(Object.keys(await checkBranchOfficeStep(BAD, 1)).sort()).toEqual(["gatewayName", "lanAddress", "siteName"]);
    expect(Object.keys(await checkBranchOfficeStep(BAD, 2)).sort()).toEqual(["gatewayName", "lanAddress", "siteName", "sshPrivateKey"]);
    expect(await counts()).toEqual(before);
  });

  it("the tunnel step shows all of its errors together, the weak-profile refusal among them", async () => {
    const { checkBranchOfficeStep } = await import("@/lib/inventory/branch-office");
    const good = { ...gatewayFields, siteName: "Tromsø", subnets: "10.8.0.0/24", gatewayName: "tromso-gw", publicIp: "198.18.251.20" };
    const step4 = { ...good, lanAddress: "10.8.0.254", role: "branch", hubGatewayId, cryptoProfileId: legacyProfileId };
    expect(await checkBranchOfficeStep({ ...good, lanAddress: "10.8.0.254" }, 2)).toEqual({});
    const errors = await checkBranchOfficeStep({ ...step4, pskMode: "custom", pskValue: "short" }, 3);
    expect(Object.keys(errors).sort()).toEqual(["cryptoProfileId", "pskValue"]);
    expect(errors.cryptoProfileId).toMatch(/Article \(legacy\) is weak/);
    expect(await checkBranchOfficeStep({ ...step4, acceptWeakProfile: "on" }, 3)).toEqual({});
  });
});
