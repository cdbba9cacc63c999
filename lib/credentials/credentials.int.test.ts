// Named SSH credentials on real lab routers (strongSwan, real sshd): an admin creates a
// credential with a generated key and installs it with the one-line command Gatewarden
// shows; the gateways switch to it and deploy; a rotation across both gateways leaves
// only the new key, which the real sshd accepts while it refuses the old one; a rotation
// that fails half-way (the second gateway unreachable) leaves the first gateway's file as
// it was and the current key working everywhere; an existing per-gateway key converts into
// a credential shared by every gateway holding it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { execInRouter, type LabState } from "@/e2e/lab/lab";
import { addLabTunnel, runJobToEnd, startLabApp, stopLabApp, waitForJobEnd } from "@/e2e/support/lab-jobs";
import { lanPingOk } from "@/lib/deploy/test-support/lab-checks";

const LAB = "h-creds-int";
const KEYS = "/etc/ssh/authorized_keys"; // where the lab routers' sshd reads root's keys
let lab: LabState;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;

const db = async () => (await import("@/lib/db/client")).getDb();
const keysFile = async (router: string) => (await execInRouter(lab, router, ["cat", KEYS])).stdout;
const blob = (line: string) => line.split(" ").slice(0, 2).join(" ");

/** Signs in to the router as the gateway's user with exactly this private key, on its pinned host key. */
async function canSignIn(router: string, privateKey: string): Promise<true | string> {
  const { openSession } = await import("@/lib/ssh/session");
  const r = lab.routers.find((x) => x.name === router)!;
  try {
    const s = await openSession({
      host: r.publicIp,
      port: r.sshPort,
      username: r.sshUser,
      credential: { type: "key", privateKey },
      pinnedFingerprint: r.hostKeyFingerprint,
    });
    await s.exec(["true"]);
    await s.close();
    return true;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

async function credentialPrivateKey(id: string): Promise<string> {
  const { decryptSecret } = await import("@/lib/secrets/envelope");
  const { getKeyring, secretPurpose } = await import("@/lib/config/keyring");
  const c = (await (await db()).sshCredential.findUnique({ where: { id } }))!;
  return decryptSecret(c.privateKeyEnc, getKeyring(), secretPurpose.namedSshCredential(id, c.keyVersion));
}

const rotate = async (credentialId: string) => {
  const { startCredentialRotation } = await import("@/lib/credentials/rotate-credential");
  return waitForJobEnd(await startCredentialRotation(admin, credentialId));
};

let credentialId: string;
let tunnelId: string;

beforeAll(async () => {
  ({ lab, admin, gatewayIds } = await startLabApp({ name: LAB, sites: 2, platforms: ["strongswan", "strongswan"] }));
}, 180_000);

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("named SSH credentials on real routers", () => {
  it("an admin creates a generated credential, installs it with the shown command, switches both gateways to it and deploys", async () => {
    const { createSshCredential } = await import("@/lib/credentials/ssh-credentials");
    const created = await createSshCredential(admin, { name: "fleet admin", mode: "generate", privateKey: "", authorizedKeysPath: KEYS });
    credentialId = created.id;
    expect(created.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=* gatewarden:fleet-admin:v1$/);
    expect(created.command).toBe(`umask 077; mkdir -p /etc/ssh && echo '${created.publicKey}' >> ${KEYS}`);
    const row = (await (await db()).sshCredential.findUnique({ where: { id: created.id } }))!;
    expect(row.privateKeyEnc).not.toContain("PRIVATE KEY"); // encrypted at rest
    // The admin's step on each router's console: the one-line command, run by a real shell.
    for (const r of ["hq", "branch1"]) await execInRouter(lab, r, ["sh", "-c", created.command]);
    expect(await canSignIn("hq", await credentialPrivateKey(created.id))).toBe(true);

    const { updateGatewaySshAccess } = await import("@/lib/inventory/edit-inventory");
    for (const r of lab.routers) {
      await updateGatewaySshAccess(admin, gatewayIds.get(r.name)!, {
        sshHost: r.publicIp,
        sshPort: String(r.sshPort),
        sshUser: r.sshUser,
        sshAuthType: "credential",
        sshCredentialId: created.id,
      });
    }
    const gws = await (await db()).gateway.findMany();
    expect(gws.map((g) => [g.sshAuthType, g.sshCredentialId, g.sshSecretEnc])).toEqual([
      ["credential", created.id, ""],
      ["credential", created.id, ""],
    ]);
    // Without the lab's management key, only the credential can sign in.
    const mgmt = blob(lab.managementKey.publicKey);
    for (const r of ["hq", "branch1"]) {
      const text = await keysFile(r);
      await execInRouter(lab, r, ["sh", "-c", `umask 077; cat > ${KEYS}`], {
        input: text
          .split("\n")
          .filter((l) => !l.startsWith(mgmt))
          .join("\n"),
      });
    }
    expect(await canSignIn("hq", readFileSync(lab.managementKey.privateKeyPath, "utf8"))).toBe("auth-failed");

    tunnelId = await addLabTunnel(admin, gatewayIds, { a: "hq", b: "branch1", profile: "Modern" });
    const job = await runJobToEnd(admin, "deploy", { tunnelId });
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect(await lanPingOk(lab, "branch1", "hq")).toBe(true);
  });

  it("rotation across both gateways: the new key signs in, the real sshd refuses the old one, other lines stay", async () => {
    const before = (await (await db()).sshCredential.findUnique({ where: { id: credentialId } }))!;
    const oldKey = await credentialPrivateKey(credentialId);
    // Someone else's key on hq, which the rotation must leave alone.
    const { generateEd25519KeyPair } = await import("@/lib/ssh/keys");
    const other = generateEd25519KeyPair({ comment: "alice@laptop" });
    await execInRouter(lab, "hq", ["sh", "-c", `echo '${other.publicKey}' >> ${KEYS}`]);

    const job = await rotate(credentialId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const after = (await (await db()).sshCredential.findUnique({ where: { id: credentialId } }))!;
    expect(after.keyVersion).toBe(before.keyVersion + 1);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.nextKeyEnc).toBeNull();
    expect(after.publicKey).toContain("gatewarden:fleet-admin:v2");
    const newKey = await credentialPrivateKey(credentialId);
    for (const r of ["hq", "branch1"]) {
      const text = await keysFile(r);
      expect(text).toContain(blob(after.publicKey));
      expect(text).not.toContain(blob(before.publicKey));
      expect(await canSignIn(r, newKey)).toBe(true);
      expect(await canSignIn(r, oldKey)).toBe("auth-failed");
      const mode = (await execInRouter(lab, r, ["stat", "-c", "%a", KEYS])).stdout.trim();
      expect(mode).toBe("600");
    }
    expect(await keysFile("hq")).toContain(other.publicKey);
    // No private key in the job's record, and the rotation is audited.
    expect(JSON.stringify(job)).not.toContain(newKey.split("\n")[1]);
    const audit = await (await db()).auditEvent.findFirst({ where: { action: "credential.rotate", targetId: credentialId } });
    expect(audit?.summary).toContain(`${before.fingerprint} → ${after.fingerprint}`);
    // Gatewarden still manages both routers with the rotated credential.
    const plan = await runJobToEnd(admin, "plan", { tunnelId });
    expect(plan.status).toBe("succeeded");
  });

  it("a rotation that fails half-way (hq unreachable) removes the next key from branch1 again: the current key works everywhere", async () => {
    const before = (await (await db()).sshCredential.findUnique({ where: { id: credentialId } }))!;
    const currentKey = await credentialPrivateKey(credentialId);
    const files = { hq: await keysFile("hq"), branch1: await keysFile("branch1") };
    const hq = gatewayIds.get("hq")!;
    // Gateways are visited by name: branch1-gw gets the next key first, then hq-gw cannot be reached.
    await (await db()).gateway.update({ where: { id: hq }, data: { sshPort: 2222 } });
    let job;
    try {
      job = await rotate(credentialId);
    } finally {
      await (await db()).gateway.update({ where: { id: hq }, data: { sshPort: 22 } });
    }
    expect(job.status).toBe("failed");
    expect(job.error).toContain("stopped at hq-gw");
    expect(job.error).toContain(`Every gateway (branch1-gw, hq-gw) still signs in with the current key ${before.fingerprint}`);
    expect(job.error).toContain("The next key was removed again from branch1-gw");
    const steps = job.steps.map((s) => `${s.name}: ${s.status}`);
    expect(steps).toContain("add the next key on branch1-gw: ok");
    expect(steps).toContain("sign in to branch1-gw with the next key: ok");
    expect(steps).toContain("add the next key on hq-gw: failed");
    expect(steps).toContain("remove the next key from branch1-gw again: ok");
    // Both routers' files are back as they were; the current key still signs in on both.
    expect(await keysFile("branch1")).toBe(files.branch1);
    expect(await keysFile("hq")).toBe(files.hq);
    for (const r of ["hq", "branch1"]) expect(await canSignIn(r, currentKey)).toBe(true);
    const after = (await (await db()).sshCredential.findUnique({ where: { id: credentialId } }))!;
    expect([after.keyVersion, after.fingerprint, after.nextKeyEnc]).toEqual([before.keyVersion, before.fingerprint, null]);
    const audit = await (await db()).auditEvent.findFirst({ where: { action: "credential.rotate.failed", targetId: credentialId } });
    expect(audit?.summary).toContain("failed at hq-gw");
    // And the next rotation, with hq reachable again, goes through.
    expect((await rotate(credentialId)).status).toBe("succeeded");
  });

  it("an existing per-gateway key becomes a credential shared by every gateway holding the same key", async () => {
    const { createBranchOffice } = await import("@/lib/inventory/branch-office");
    const { convertGatewayKey } = await import("@/lib/credentials/ssh-credentials");
    const key = readFileSync(lab.managementKey.privateKeyPath, "utf8");
    // Two gateways added the old way (their own pasted key), not on the lab: conversion reads only the database.
    for (const [n, ip] of [
      ["Old One", "198.18.200.1"],
      ["Old Two", "198.18.200.2"],
    ]) {
      await createBranchOffice(admin, {
        siteName: n!,
        subnets: n === "Old One" ? "192.168.201.0/24" : "192.168.202.0/24",
        gatewayName: n!.toLowerCase().replace(" ", "-"),
        platform: "strongswan",
        publicIp: ip!,
        sshHost: ip!,
        sshPort: "22",
        sshUser: "root",
        sshAuthType: "key",
        sshPrivateKey: key,
        wanInterface: "eth0",
        lanInterface: "eth1",
        lanAddress: n === "Old One" ? "192.168.201.1" : "192.168.202.1",
        role: "hub",
      });
    }
    const one = (await (await db()).gateway.findUnique({ where: { name: "old-one" } }))!;
    const { id, gateways } = await convertGatewayKey(admin, one.id, { credentialName: "lab management", authorizedKeysPath: "" });
    expect(gateways).toEqual(["old-one", "old-two"]);
    const rows = await (await db()).gateway.findMany({ where: { name: { in: ["old-one", "old-two"] } } });
    expect(rows.every((g) => g.sshCredentialId === id && g.sshAuthType === "credential" && g.sshSecretEnc === "")).toBe(true);
    expect(await credentialPrivateKey(id)).toBe(key.trim() + "\n");
    const { sessionOptionsFor } = await import("@/lib/deploy/connect");
    const { getGatewayForConnection } = await import("@/lib/db/gateways");
    const opts = sessionOptionsFor((await getGatewayForConnection(one.id))!);
    expect(opts.credential).toEqual({ type: "key", privateKey: key.trim() + "\n" });
  });
});
