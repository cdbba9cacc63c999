// Named SSH credentials: one management identity for many gateways. An admin pastes a
// private key once or has Gatewarden generate an ed25519 pair; the private key is stored
// as a lib/secrets envelope bound to the credential's id and key version, the public key
// and its fingerprint in clear (they are public). A gateway's own pasted key (the
// per-gateway keys of earlier versions) keeps working; "convert" turns it into a
// credential, and every other gateway holding the same key joins it.
import "server-only";
import { randomUUID } from "node:crypto";
import { decryptSecret, encryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { attachGatewaysToCredential, credentialNameTaken, deleteSshCredentialRow, insertSshCredential } from "@/lib/db/ssh-credentials";
import { listGatewayKeysForConversion } from "@/lib/db/inventory-edit";
import { checkPrivateKey } from "@/lib/ssh/private-key";
import { generateEd25519KeyPair, publicKeyOf } from "@/lib/ssh/keys";
import { authorizedKeysCommand } from "@/lib/ssh/authorized-keys";
import { zodFieldErrors } from "@/lib/inventory/form-state";
import { AppError, ValidationError } from "@/lib/errors";
import { authorizedKeysPathSchema, createCredentialSchema, credentialComment, credentialNameSchema } from "./credential-form";

export type CreatedCredential = { id: string; name: string; publicKey: string; fingerprint: string; command: string };

export async function createSshCredential(actor: AuditActor, raw: Record<string, string>): Promise<CreatedCredential> {
  const parsed = createCredentialSchema.safeParse(raw);
  const errors: Record<string, string> = parsed.success ? {} : zodFieldErrors(parsed.error);
  if (parsed.success && parsed.data.mode === "paste") {
    const check = checkPrivateKey(parsed.data.privateKey);
    if (!check.ok) errors.privateKey = check.message;
  }
  if (!parsed.success || Object.keys(errors).length) throw new ValidationError(errors);
  const input = parsed.data;
  const id = randomUUID();
  const comment = credentialComment(input.name, 1);
  const privateKey = input.mode === "generate" ? generateEd25519KeyPair({ comment }).privateKey : input.privateKey.trim() + "\n";
  const { publicKey, fingerprint, type } = publicKeyOf(privateKey, comment);
  const privateKeyEnc = encryptSecret(privateKey, getKeyring(), secretPurpose.namedSshCredential(id, 1));
  await runInTransaction(async (tx) => {
    if (await credentialNameTaken(tx, input.name)) throw new ValidationError({ name: `A credential named “${input.name}” already exists` });
    await insertSshCredential(tx, {
      id,
      name: input.name,
      origin: input.mode === "generate" ? "generated" : "pasted",
      privateKeyEnc,
      publicKey,
      fingerprint,
      authorizedKeysPath: input.authorizedKeysPath,
    });
    await recordAudit(tx, actor, {
      action: "credential.create",
      targetType: "ssh-credential",
      targetId: id,
      summary: `Created SSH credential ${input.name} (${input.mode === "generate" ? "generated" : "pasted"} ${type} key ${fingerprint})`,
      after: { name: input.name, origin: input.mode, fingerprint, authorizedKeysPath: input.authorizedKeysPath },
    });
  });
  return { id, name: input.name, publicKey, fingerprint, command: authorizedKeysCommand(publicKey, input.authorizedKeysPath) };
}

export async function deleteSshCredential(actor: AuditActor, id: string): Promise<void> {
  await runInTransaction(async (tx) => {
    const row = await deleteSshCredentialRow(tx, id);
    if (!row) throw new AppError("not_found", "This credential no longer exists.");
    if (row._count.gateways > 0) {
      throw new AppError("in_use", `${row._count.gateways} gateway(s) sign in with ${row.name}: give them another credential first.`);
    }
    await recordAudit(tx, actor, {
      action: "credential.delete",
      targetType: "ssh-credential",
      targetId: id,
      summary: `Deleted SSH credential ${row.name}`,
    });
  });
}

/**
 * A gateway's own private key becomes a named credential; every gateway that holds the
 * same key (same fingerprint) signs in with the credential from now on. Passwords cannot
 * be converted.
 */
export async function convertGatewayKey(
  actor: AuditActor,
  gatewayId: string,
  raw: { credentialName?: string; authorizedKeysPath?: string },
): Promise<{ id: string; gateways: string[] }> {
  const name = credentialNameSchema.safeParse(raw.credentialName ?? "");
  const keysPath = authorizedKeysPathSchema.safeParse(raw.authorizedKeysPath ?? "");
  const errors: Record<string, string> = {};
  if (!name.success) errors.credentialName = name.error.issues[0]?.message ?? "Enter a name";
  if (!keysPath.success) errors.authorizedKeysPath = keysPath.error.issues[0]?.message ?? "Enter a file path";
  if (!name.success || !keysPath.success) throw new ValidationError(errors);
  const ring = getKeyring();
  const keyOf = (g: { id: string; sshSecretEnc: string }) => decryptSecret(g.sshSecretEnc, ring, secretPurpose.sshCredential(g.id));
  const id = randomUUID();
  return runInTransaction(async (tx) => {
    const gateways = await listGatewayKeysForConversion(tx);
    const own = gateways.find((g) => g.id === gatewayId);
    if (!own) throw new AppError("not_found", "This gateway no longer exists.");
    if (own.sshAuthType !== "key") throw new AppError("not_a_key", "Only a gateway's own private key can become a named credential.");
    if (await credentialNameTaken(tx, name.data))
      throw new ValidationError({ credentialName: `A credential named “${name.data}” already exists` });
    const privateKey = keyOf(own);
    const { publicKey, fingerprint } = publicKeyOf(privateKey, credentialComment(name.data, 1));
    // Another gateway's key that cannot be read (not yet re-bound, broken) simply does not join.
    const fingerprintOf = (g: (typeof gateways)[number]) => {
      try {
        return publicKeyOf(keyOf(g), "x").fingerprint;
      } catch {
        return null;
      }
    };
    const same = gateways.filter((g) => g.id === own.id || (g.sshAuthType === "key" && fingerprintOf(g) === fingerprint));
    await insertSshCredential(tx, {
      id,
      name: name.data,
      origin: "pasted",
      privateKeyEnc: encryptSecret(privateKey, ring, secretPurpose.namedSshCredential(id, 1)),
      publicKey,
      fingerprint,
      authorizedKeysPath: keysPath.data,
    });
    await attachGatewaysToCredential(
      tx,
      same.map((g) => g.id),
      id,
    );
    const names = same.map((g) => g.name);
    await recordAudit(tx, actor, {
      action: "credential.create",
      targetType: "ssh-credential",
      targetId: id,
      summary: `Made ${own.name}'s SSH key (${fingerprint}) the credential ${name.data}, now used by ${names.join(", ")}`,
      after: { name: name.data, origin: "converted", fingerprint, gateways: names },
    });
    return { id, gateways: names };
  });
}
