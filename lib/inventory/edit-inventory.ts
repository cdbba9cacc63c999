// Changing and removing inventory: a gateway's SSH access (a new credential replaces
// the stored one; leaving it blank keeps it), and deleting tunnels and sites once
// nothing on a router depends on them.
import "server-only";
import { z } from "zod";
import { portSchema, sshHostSchema, sshUserSchema } from "@/lib/domain/names";
import { encryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import { parseProbeTarget } from "@/lib/domain/probe-target";
import {
  deleteSiteRow,
  getSiteForProbeTarget,
  updateSiteProbeTarget,
  deleteTunnelRow,
  getGatewaySshRow,
  getSiteForDelete,
  getTunnelForDelete,
  updateGatewaySsh,
} from "@/lib/db/inventory-edit";
import { credentialExists } from "@/lib/db/ssh-credentials";
import { checkCredential } from "@/lib/inventory/gateway-facts";
import { sshHostProblem } from "@/lib/ssh/target-policy";
import { zodFieldErrors } from "@/lib/inventory/form-state";
import { AppError, ValidationError } from "@/lib/errors";

const sshAccessSchema = z.object({
  sshHost: sshHostSchema,
  sshPort: portSchema,
  sshUser: sshUserSchema,
  sshAuthType: z.enum(["credential", "key", "password"], { error: "Choose how Gatewarden signs in" }),
  sshCredentialId: z.string().default(""),
  sshPrivateKey: z.string().default(""),
  sshPassword: z.string().default(""),
});

export async function updateGatewaySshAccess(actor: AuditActor, gatewayId: string, raw: Record<string, string>) {
  const parsed = sshAccessSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  const input = parsed.data;
  const gw = await getGatewaySshRow(gatewayId);
  if (!gw) throw new AppError("not_found", "This gateway no longer exists.");
  const errors: Record<string, string> = {};
  const sshTarget = await sshHostProblem(input.sshHost);
  if (sshTarget) errors.sshHost = sshTarget;
  const newCredentialGiven =
    input.sshAuthType === "credential"
      ? input.sshCredentialId !== (gw.sshCredentialId ?? "")
      : input.sshAuthType === "key"
        ? input.sshPrivateKey.trim() !== ""
        : input.sshPassword !== "";
  let sshSecretEnc = gw.sshSecretEnc;
  if (newCredentialGiven || input.sshAuthType !== gw.sshAuthType) {
    const credential = checkCredential(input, errors);
    if (credential) sshSecretEnc = encryptSecret(credential, getKeyring(), secretPurpose.sshCredential(gatewayId));
    // A named credential replaces the gateway's own secret, which is then forgotten.
    if (input.sshAuthType === "credential") sshSecretEnc = "";
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const sshCredentialId = input.sshAuthType === "credential" ? input.sshCredentialId : null;
  const before = {
    sshHost: gw.sshHost,
    sshPort: gw.sshPort,
    sshUser: gw.sshUser,
    sshAuthType: gw.sshAuthType,
    credential: gw.sshCredential?.name ?? null,
  };
  await runInTransaction(async (tx) => {
    const named = sshCredentialId ? await credentialExists(tx, sshCredentialId) : null;
    if (sshCredentialId && !named) throw new ValidationError({ sshCredentialId: "That SSH credential no longer exists; choose another" });
    const after = {
      sshHost: input.sshHost,
      sshPort: input.sshPort,
      sshUser: input.sshUser,
      sshAuthType: input.sshAuthType,
      credential: named?.name ?? null,
    };
    await updateGatewaySsh(tx, gatewayId, {
      sshHost: input.sshHost,
      sshPort: input.sshPort,
      sshUser: input.sshUser,
      sshAuthType: input.sshAuthType,
      sshSecretEnc,
      sshCredentialId,
    });
    await recordAudit(tx, actor, {
      action: "gateway.ssh.update",
      targetType: "gateway",
      targetId: gatewayId,
      summary: `Changed SSH access of ${gw.name}${named ? ` (signs in with the credential ${named.name})` : sshSecretEnc !== gw.sshSecretEnc ? " (new credential)" : ""}`,
      before,
      after,
    });
  });
}

/**
 * Sets or clears the host on a site's LAN that health pings through the site's tunnels.
 * Checked against the site's subnets inside the write's transaction; a bad value changes nothing.
 */
export async function setSiteProbeTarget(actor: AuditActor, siteId: string, raw: string | null | undefined) {
  await runInTransaction(async (tx) => {
    const site = await getSiteForProbeTarget(tx, siteId);
    if (!site) throw new AppError("not_found", "This site no longer exists.");
    const parsed = parseProbeTarget(raw, { subnets: site.subnets.map((s) => s.cidr), lanAddress: site.gateway?.lanAddress ?? null });
    if (!parsed.ok) throw new ValidationError({ probeTarget: parsed.message });
    if (parsed.value === site.probeTarget) return;
    await updateSiteProbeTarget(tx, siteId, parsed.value);
    await recordAudit(tx, actor, {
      action: "site.probe-target.update",
      targetType: "site",
      targetId: siteId,
      summary: parsed.value
        ? `Health of ${site.name}'s tunnels now pings ${parsed.value} on its LAN`
        : `Health of ${site.name}'s tunnels probes router to router only`,
      before: { probeTarget: site.probeTarget },
      after: { probeTarget: parsed.value },
    });
  });
}

export async function deleteTunnel(actor: AuditActor, tunnelId: string) {
  await runInTransaction(async (tx) => {
    const t = await getTunnelForDelete(tx, tunnelId);
    if (!t) throw new AppError("not_found", "This tunnel no longer exists.");
    if (t.deployState === "deployed" || t.deployState === "failed") {
      throw new AppError("deployed", "This tunnel may still be configured on its routers. Tear it down first, then delete it.");
    }
    await deleteTunnelRow(tx, tunnelId);
    await recordAudit(tx, actor, {
      action: "tunnel.delete",
      targetType: "tunnel",
      targetId: tunnelId,
      summary: `Deleted tunnel ${t.ends.map((e) => e.gateway.name).join(" ↔ ")}`,
    });
  });
}

export async function deleteSite(actor: AuditActor, siteId: string) {
  await runInTransaction(async (tx) => {
    const site = await getSiteForDelete(tx, siteId);
    if (!site) throw new AppError("not_found", "This site no longer exists.");
    const tunnels = site.gateway?._count.tunnelEnds ?? 0;
    if (tunnels > 0)
      throw new AppError("has_tunnels", `${site.name} still has ${tunnels} tunnel(s). Tear them down and delete them first.`);
    await deleteSiteRow(tx, siteId);
    await recordAudit(tx, actor, {
      action: "site.delete",
      targetType: "site",
      targetId: siteId,
      summary: `Deleted site ${site.name}`,
      before: { name: site.name, gateway: site.gateway?.name ?? null },
    });
  });
}
