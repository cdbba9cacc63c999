// "Add tunnel" between two existing gateways: host-to-host (the article's node-to-node
// case) or net-to-net between two sites' LANs, with a generated or typed PSK.
import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { ipsecIfaceSchema } from "@/lib/domain/names";
import { encryptSecret } from "@/lib/secrets/envelope";
import { generatePsk, pskSchema } from "@/lib/secrets/psk";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { insertTunnel, loadInventorySnapshot } from "@/lib/db/inventory-write";
import { optionalField, zodFieldErrors } from "@/lib/inventory/form-state";
import { gatewayFactsFrom, profileFacts } from "@/lib/inventory/gateway-facts";
import { planTunnel } from "@/lib/inventory/tunnel-plan";
import { acknowledgedWeakProfile, weakProfileRefusal } from "@/lib/inventory/profile-choice";
import { dangersOf } from "@/lib/inventory/profile-lint";
import { parseProfileSpec } from "@/lib/db/crypto-profiles";
import { ValidationError } from "@/lib/errors";

export const tunnelFormSchema = z.object({
  kind: z.enum(["host-to-host", "net-to-net"], { error: "Choose the tunnel type" }),
  gatewayAId: z.string().min(1, "Choose the first gateway"),
  gatewayBId: z.string().min(1, "Choose the second gateway"),
  interfaceA: optionalField(ipsecIfaceSchema),
  interfaceB: optionalField(ipsecIfaceSchema),
  cryptoProfileId: z.string().min(1, "Choose a crypto profile"),
  pskMode: z.enum(["generate", "custom"]).default("generate"),
  pskValue: z.string().default(""),
  acceptWeakProfile: z.string().default(""),
});

export async function createTunnel(actor: AuditActor, raw: Record<string, string>): Promise<{ tunnelId: string }> {
  const parsed = tunnelFormSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  const input = parsed.data;
  const errors: Record<string, string> = {};
  let psk = generatePsk();
  if (input.pskMode === "custom") {
    const r = pskSchema.safeParse(input.pskValue);
    if (r.success) psk = input.pskValue;
    else errors.pskValue = r.error.issues[0]?.message ?? "That key is not usable";
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const keyring = getKeyring();
  return runInTransaction(async (tx) => {
    const snap = await loadInventorySnapshot(tx);
    const a = snap.gateways.find((g) => g.id === input.gatewayAId);
    const b = snap.gateways.find((g) => g.id === input.gatewayBId);
    const profile = snap.profiles.find((p) => p.id === input.cryptoProfileId);
    if (!a) errors.gatewayAId = "Choose the first gateway";
    if (!b) errors.gatewayBId = "Choose the second gateway";
    if (!profile) errors.cryptoProfileId = "Choose a crypto profile";
    if (!a || !b || !profile) throw new ValidationError(errors);
    const weak = weakProfileRefusal(
      { name: profile.name, dangers: dangersOf(parseProfileSpec(profile.spec)) },
      acknowledgedWeakProfile(input.acceptWeakProfile),
    );
    if (weak) throw new ValidationError({ cryptoProfileId: weak });
    const plan = planTunnel({
      kind: input.kind,
      a: gatewayFactsFrom(a),
      b: gatewayFactsFrom(b),
      interfaceA: input.interfaceA,
      interfaceB: input.interfaceB,
      profile: profileFacts(profile),
    });
    if (!plan.ok) {
      const e = plan.errors;
      throw new ValidationError({
        ...(e.peer ? { gatewayBId: e.peer } : {}),
        ...(e.interfaceA ? { interfaceA: e.interfaceA } : {}),
        ...(e.interfaceB ? { interfaceB: e.interfaceB } : {}),
        ...(e.cryptoProfileId ? { cryptoProfileId: e.cryptoProfileId } : {}),
      });
    }
    const tunnelId = randomUUID();
    await insertTunnel(tx, {
      id: tunnelId,
      kind: input.kind,
      pairKey: plan.pairKey,
      cryptoProfileId: profile.id,
      ends: [
        { gatewayId: a.id, role: "a", interfaceName: plan.interfaceA },
        { gatewayId: b.id, role: "b", interfaceName: plan.interfaceB },
      ],
      pskEnc: encryptSecret(psk, keyring, secretPurpose.psk(tunnelId, 1)),
    });
    await recordAudit(tx, actor, {
      action: "tunnel.create",
      targetType: "tunnel",
      targetId: tunnelId,
      summary: `Added ${input.kind} tunnel ${a.name} (${plan.interfaceA}) ↔ ${b.name} (${plan.interfaceB}) with profile ${profile.name}`,
      after: {
        kind: input.kind,
        a: a.name,
        b: b.name,
        interfaces: [plan.interfaceA, plan.interfaceB],
        profile: profile.name,
        pskMode: input.pskMode,
      },
    });
    return { tunnelId };
  });
}
