// Admin-defined crypto profiles: validated against the allow-lists, unique by name,
// written with their audit event in one transaction.
import "server-only";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { createCryptoProfile, getCryptoProfileByName } from "@/lib/db/crypto-profiles";
import { ValidationError } from "@/lib/errors";
import { lintCryptoProfile } from "@/lib/platforms/crypto-profiles";
import { parseCryptoProfileForm } from "@/lib/inventory/crypto-profile-form";

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
      summary: `Created crypto profile ${profile.name} (IKEv${profile.ikeVersion}, ${findings.length} lint finding${findings.length === 1 ? "" : "s"})`,
      after: profile,
    });
    return created;
  });
  return { id: row.id, profile, findings };
}
