// Editing, cloning and deleting crypto profiles on a real SQLite database: an unused
// custom profile can be edited and deleted, a built-in or in-use one only cloned; each
// change is audited, each refusal writes nothing.
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin, freshAppDatabase } from "@/e2e/support/app-db";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";

let actor: { id: string; username: string };

function profileForm(name: string, over: Record<string, string | string[]> = {}) {
  const fields: Record<string, string | string[]> = {
    name,
    ikeVersion: "2",
    "ike.encryption": "aes256",
    "ike.integrity": "sha256",
    "ike.dhGroup": "14",
    "esp.encryption": ["aes256"],
    "esp.integrity": ["sha256"],
    "esp.pfsGroup": "14",
    ikeLifetimeSeconds: "28800",
    childLifetimeSeconds: "3600",
    ...over,
  };
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) fd.append(k, one);
  return fd;
}

async function db() {
  return (await import("@/lib/db/client")).getDb();
}
const byName = async (name: string) => (await db()).cryptoProfile.findUnique({ where: { name } });
const auditOf = async (targetId: string) =>
  (await db()).auditEvent.findMany({ where: { targetType: "crypto-profile", targetId }, orderBy: { at: "asc" } });

async function refusal(p: Promise<unknown>) {
  const { AppError } = await import("@/lib/errors");
  const e = await p.then(
    () => expect.unreachable("expected a refusal"),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as InstanceType<typeof AppError>;
}

beforeAll(async () => {
  delete process.env.DATABASE_URL;
  await freshAppDatabase();
  actor = await createAdmin();
});

describe("crypto profile changes", () => {
  it("edits an unused custom profile, auditing before and after; a taken name is a field error", async () => {
    const { addCryptoProfile, editCryptoProfile } = await import("@/lib/inventory/crypto-profiles");
    const { id } = await addCryptoProfile(actor, profileForm("Branch A"));
    await editCryptoProfile(actor, id, profileForm("Branch A2", { "esp.encryption": ["aes256", "aes128"] }));
    const row = await byName("Branch A2");
    expect(row?.id).toBe(id);
    expect(JSON.parse(row!.spec).esp.encryption).toEqual(["aes256", "aes128"]);
    const audit = await auditOf(id);
    expect(audit.map((a) => a.action)).toEqual(["profile.create", "profile.update"]);
    expect(audit[1]!.summary).toMatch(/^Edited crypto profile Branch A \(now Branch A2\)/);
    expect(JSON.parse(audit[1]!.before!).name).toBe("Branch A");

    const e = await refusal(editCryptoProfile(actor, id, profileForm("Modern")));
    expect(e.fieldErrors.name).toBe("A profile with this name exists");
    const bad = await refusal(editCryptoProfile(actor, id, profileForm("Branch A2", { childLifetimeSeconds: "5" })));
    expect(bad.fieldErrors.childLifetimeSeconds).toMatch(/Whole seconds/);
    expect((await auditOf(id)).length).toBe(2);
  });

  it("clones a built-in profile as a custom copy under a free name, audited", async () => {
    const { cloneCryptoProfile } = await import("@/lib/inventory/crypto-profiles");
    const modern = (await byName("Modern"))!;
    const first = await cloneCryptoProfile(actor, modern.id);
    const second = await cloneCryptoProfile(actor, modern.id);
    expect([first.name, second.name]).toEqual(["Modern (copy)", "Modern (copy 2)"]);
    const copy = (await byName("Modern (copy)"))!;
    expect(copy.builtIn).toBe(false);
    expect({ ...JSON.parse(copy.spec), name: "Modern" }).toEqual(JSON.parse(modern.spec));
    expect((await auditOf(first.id))[0]!.summary).toBe("Cloned crypto profile Modern as Modern (copy)");
  });

  it("refuses to edit or delete a built-in profile, and one a tunnel uses; deletes an unused one", async () => {
    const { cloneCryptoProfile, deleteCryptoProfile, editCryptoProfile } = await import("@/lib/inventory/crypto-profiles");
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const modern = (await byName("Modern"))!;
    expect((await refusal(editCryptoProfile(actor, modern.id, profileForm("Modern")))).userMessage).toBe(
      "Modern is built in and cannot be edited; clone it and edit the copy.",
    );
    expect((await refusal(deleteCryptoProfile(actor, modern.id))).userMessage).toBe("Modern is built in and cannot be deleted.");

    const used = await cloneCryptoProfile(actor, modern.id);
    const gw = {
      platform: "strongswan",
      sshPort: "22",
      sshUser: "root",
      sshAuthType: "key",
      sshPrivateKey: generateEd25519KeyPair().privateKey,
      wanInterface: "eth0",
      lanInterface: "eth1",
    };
    await createBranchOffice(actor, {
      ...gw,
      siteName: "HQ",
      subnets: "10.5.0.0/24",
      gatewayName: "hq-gw",
      publicIp: "198.18.5.1",
      lanAddress: "10.5.0.254",
      role: "hub",
    });
    const hub = await (await db()).gateway.findUniqueOrThrow({ where: { name: "hq-gw" } });
    await createBranchOffice(actor, {
      ...gw,
      siteName: "Branch",
      subnets: "10.6.0.0/24",
      gatewayName: "branch-gw",
      publicIp: "198.18.6.1",
      lanAddress: "10.6.0.254",
      role: "branch",
      hubGatewayId: hub.id,
      cryptoProfileId: used.id,
    });
    const specBefore = (await byName(used.name))!.spec;
    expect((await refusal(editCryptoProfile(actor, used.id, profileForm(used.name, { "ike.dhGroup": "19" })))).userMessage).toMatch(
      /is used by 1 tunnel; clone it and edit the copy/,
    );
    expect((await refusal(deleteCryptoProfile(actor, used.id))).userMessage).toMatch(/is used by 1 tunnel; move them/);
    expect((await byName(used.name))!.spec).toBe(specBefore);

    const unused = (await byName("Modern (copy)"))!;
    expect(await deleteCryptoProfile(actor, unused.id)).toEqual({ name: "Modern (copy)" });
    expect(await byName("Modern (copy)")).toBeNull();
    expect((await auditOf(unused.id)).map((a) => a.action)).toEqual(["profile.create", "profile.delete"]);
  });
});
