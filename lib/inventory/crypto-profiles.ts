// Admin-defined crypto profiles: validated against the allow-lists, unique by name,
// written with their audit event in one transaction. Built-in profiles can only be
// cloned; a custom one can be edited or deleted while no tunnel uses it (checked inside
// the writing transaction, so a tunnel added meanwhile is not left on a changed profile).
import "server-only";
import { runInTransaction, type Tx } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import {
  createCryptoProfile,
  deleteCryptoProfileRow,
  getCryptoProfileByName,
  getCryptoProfileWithUse,
  listCryptoProfileNames,
  parseProfileSpec,
  updateCryptoProfile,
} from "@/lib/db/crypto-profiles";
import { AppError, ValidationError } from "@/lib/errors";
import { lintCryptoProfile } from "@/lib/platforms/crypto-profiles";
import { parseCryptoProfileForm } from "@/lib/inventory/crypto-profile-form";
import { cloneName, profileChangeRefusal, type ProfileChange } from "@/lib/inventory/profile-changes";

// The audit's "before": the stored JSON as it is, even one that no longer validates
// (editing is how such a profile gets fixed).
const storedSpec = (spec: string): unknown => {
  try {
    return JSON.parse(spec);
  } catch {
    return spec;
  }
};

const findingsWord = (n: number) => `${n} lint finding${n === 1 ? "" : "s"}`;

export async function addCryptoProfile(actor: AuditActor, fd: FormData) {
  const parsed = parseCryptoProfileForm(fd);
  if (!parsed.ok) throw new ValidationError(parsed.fieldErrors);
  const profile = parsed.profile;
  if (await getCryptoProfileByName(profile.name)) throw new ValidationError({ name: "A profile with this name exists" });
  const findings = lintCryptoProfile(profile);
  const row = await runInTransaction(async (tx) => {
    const created = await createCryptoProfile(tx, profile);
    await recordAudit(tx, actor, {
      action: "profile.create",
      targetType: "crypto-profile",
      targetId: created.id,
      summary: `Created crypto profile ${profile.name} (IKEv${profile.ikeVersion}, ${findingsWord(findings.length)})`,
      after: profile,
    });
    return created;
  });
  return { id: row.id, profile, findings };
}

/** The profile, or why it may not be changed so (an AppError the form shows). */
async function changeableProfile(tx: Tx, id: string, change: ProfileChange) {
  const row = await getCryptoProfileWithUse(tx, id);
  if (!row) throw new AppError("not-found", "This profile no longer exists; reload the page.");
  const refusal = profileChangeRefusal({ name: row.name, builtIn: row.builtIn, tunnels: row._count.tunnels }, change);
  if (refusal) throw new AppError("profile-frozen", refusal);
  return row;
}

export async function editCryptoProfile(actor: AuditActor, id: string, fd: FormData) {
  const parsed = parseCryptoProfileForm(fd);
  if (!parsed.ok) throw new ValidationError(parsed.fieldErrors);
  const profile = parsed.profile;
  const findings = lintCryptoProfile(profile);
  await runInTransaction(async (tx) => {
    const row = await changeableProfile(tx, id, "edit");
    const twin = await getCryptoProfileByName(profile.name, tx);
    if (twin && twin.id !== id) throw new ValidationError({ name: "A profile with this name exists" });
    await updateCryptoProfile(tx, id, profile);
    await recordAudit(tx, actor, {
      action: "profile.update",
      targetType: "crypto-profile",
      targetId: id,
      summary: `Edited crypto profile ${row.name}${row.name === profile.name ? "" : ` (now ${profile.name})`} (IKEv${profile.ikeVersion}, ${findingsWord(findings.length)})`,
      before: storedSpec(row.spec),
      after: profile,
    });
  });
  return { profile, findings };
}

/** A custom copy of any profile, built-in ones included, under a free "(copy)" name. */
export async function cloneCryptoProfile(actor: AuditActor, id: string) {
  return runInTransaction(async (tx) => {
    const row = await getCryptoProfileWithUse(tx, id);
    if (!row) throw new AppError("not-found", "This profile no longer exists; reload the page.");
    const name = cloneName(row.name, await listCryptoProfileNames(tx));
    let spec;
    try {
      spec = parseProfileSpec(row.spec);
    } catch {
      throw new AppError("profile-invalid", `${row.name}'s stored definition does not pass validation, so it cannot be cloned.`);
    }
    const profile = { ...spec, name };
    const created = await createCryptoProfile(tx, profile);
    await recordAudit(tx, actor, {
      action: "profile.create",
      targetType: "crypto-profile",
      targetId: created.id,
      summary: `Cloned crypto profile ${row.name} as ${name}`,
      after: profile,
    });
    return { id: created.id, name };
  });
}

export async function deleteCryptoProfile(actor: AuditActor, id: string) {
  return runInTransaction(async (tx) => {
    const row = await changeableProfile(tx, id, "delete");
    await deleteCryptoProfileRow(tx, id);
    await recordAudit(tx, actor, {
      action: "profile.delete",
      targetType: "crypto-profile",
      targetId: id,
      summary: `Deleted crypto profile ${row.name}`,
      before: storedSpec(row.spec),
    });
    return { name: row.name };
  });
}
