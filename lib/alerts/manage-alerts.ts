// What an admin does on the Alerts settings: channels (secrets encrypted, never shown
// again), rules, PSK maximum ages, the scheduled-rotation window. Each change is one
// transaction with its audit event; snapshots in the audit log never hold a secret.
import "server-only";
import { randomUUID } from "node:crypto";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, type AuditActor } from "@/lib/db/audit";
import {
  deleteAlertChannelRow,
  deleteAlertRuleRow,
  getAlertChannel,
  getAlertChannelByName,
  getAlertRule,
  getAlertRuleByName,
  getPskMaxAges,
  insertAlertChannel,
  insertAlertRule,
  saveRotationSchedule,
  setAlertChannelEnabled,
  setPskMaxAge,
  updateAlertRuleRow,
} from "@/lib/db/alert-config";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { encryptSecret } from "@/lib/secrets/envelope";
import { AppError, ValidationError } from "@/lib/errors";
import { zodFieldErrors } from "@/lib/inventory/form-state";
import { emailConfigSchema, webhookConfigSchema } from "./channel-config";
import { channelBaseSchema, pskMaxAgeSchema, rotationScheduleSchema, ruleSchema } from "./alert-forms";
import { RULE_KIND_LABEL, type AlertRuleKind } from "./rule-kinds";

const notFound = (what: string) => new AppError("not_found", `This ${what} no longer exists.`);

export async function createAlertChannel(actor: AuditActor, raw: Record<string, string>) {
  const base = channelBaseSchema.safeParse(raw);
  const specific = (base.success && base.data.kind === "email" ? emailConfigSchema : webhookConfigSchema).safeParse(raw);
  if (!base.success || !specific.success) {
    throw new ValidationError({
      ...(base.success ? {} : zodFieldErrors(base.error)),
      ...(specific.success ? {} : zodFieldErrors(specific.error)),
    });
  }
  const { name, kind, secret } = base.data;
  if (kind === "email" && (specific.data as { username: string }).username && !secret) {
    throw new ValidationError({ secret: "the SMTP password for this user name" });
  }
  const id = randomUUID();
  // Encrypted before the transaction, bound to the new row's id.
  const secretEnc = secret ? encryptSecret(secret, getKeyring(), secretPurpose.alertChannel(id)) : null;
  return runInTransaction(async (tx) => {
    if (await getAlertChannelByName(tx, name)) throw new ValidationError({ name: "A channel with this name exists" });
    const row = await insertAlertChannel(tx, { id, name, kind, config: JSON.stringify(specific.data), secretEnc });
    await recordAudit(tx, actor, {
      action: "alert-channel.create",
      targetType: "alert-channel",
      targetId: id,
      summary: `Added the ${kind} alert channel ${name}`,
      after: { name, kind, config: specific.data, secret: secret ? "set" : "none" },
    });
    return row;
  });
}

export async function setAlertChannelOn(actor: AuditActor, id: string, enabled: boolean) {
  return runInTransaction(async (tx) => {
    const before = await getAlertChannel(tx, id);
    if (!before) throw notFound("channel");
    const row = await setAlertChannelEnabled(tx, id, enabled);
    await recordAudit(tx, actor, {
      action: enabled ? "alert-channel.enable" : "alert-channel.disable",
      targetType: "alert-channel",
      targetId: id,
      summary: `${enabled ? "Enabled" : "Disabled"} the alert channel ${row.name}`,
      before: { enabled: before.enabled },
      after: { enabled },
    });
    return row;
  });
}

export async function deleteAlertChannel(actor: AuditActor, id: string) {
  return runInTransaction(async (tx) => {
    const before = await getAlertChannel(tx, id);
    if (!before) throw notFound("channel");
    await deleteAlertChannelRow(tx, id);
    await recordAudit(tx, actor, {
      action: "alert-channel.delete",
      targetType: "alert-channel",
      targetId: id,
      summary: `Deleted the alert channel ${before.name} and its rules`,
      before: { name: before.name, kind: before.kind, config: JSON.parse(before.config) },
    });
    return before;
  });
}

const ruleSnapshot = (r: {
  name: string;
  kind: string;
  graceSeconds: number;
  threshold: number | null;
  channelId: string;
  enabled?: boolean;
}) => ({
  name: r.name,
  kind: r.kind,
  graceSeconds: r.graceSeconds,
  threshold: r.threshold,
  channelId: r.channelId,
  ...(r.enabled === undefined ? {} : { enabled: r.enabled }),
});

export async function createAlertRule(actor: AuditActor, raw: Record<string, string>) {
  const parsed = ruleSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  const { ruleName, ruleKind, ...rest } = parsed.data;
  const data = { name: ruleName, kind: ruleKind, ...rest };
  return runInTransaction(async (tx) => {
    if (await getAlertRuleByName(tx, data.name)) throw new ValidationError({ ruleName: "A rule with this name exists" });
    const channel = await getAlertChannel(tx, data.channelId);
    if (!channel) throw new ValidationError({ channelId: "choose a channel (add one first)" });
    const rule = await insertAlertRule(tx, data);
    await recordAudit(tx, actor, {
      action: "alert-rule.create",
      targetType: "alert-rule",
      targetId: rule.id,
      summary: `Added the alert rule ${rule.name} (${RULE_KIND_LABEL[data.kind as AlertRuleKind]}, grace ${data.graceSeconds} s) to ${channel.name}`,
      after: ruleSnapshot(rule),
    });
    return rule;
  });
}

export async function setAlertRuleOn(actor: AuditActor, id: string, enabled: boolean) {
  return runInTransaction(async (tx) => {
    const before = await getAlertRule(tx, id);
    if (!before) throw notFound("rule");
    const rule = await updateAlertRuleRow(tx, id, { enabled });
    await recordAudit(tx, actor, {
      action: enabled ? "alert-rule.enable" : "alert-rule.disable",
      targetType: "alert-rule",
      targetId: id,
      summary: `${enabled ? "Enabled" : "Disabled"} the alert rule ${rule.name}`,
      before: ruleSnapshot(before),
      after: ruleSnapshot(rule),
    });
    return rule;
  });
}

export async function deleteAlertRule(actor: AuditActor, id: string) {
  return runInTransaction(async (tx) => {
    const before = await getAlertRule(tx, id);
    if (!before) throw notFound("rule");
    await deleteAlertRuleRow(tx, id);
    await recordAudit(tx, actor, {
      action: "alert-rule.delete",
      targetType: "alert-rule",
      targetId: id,
      summary: `Deleted the alert rule ${before.name} and its alert history`,
      before: ruleSnapshot(before),
    });
    return before;
  });
}

/** A tunnel's or a site's maximum PSK age; an empty field turns it off. */
export async function setPskMaxAgeFor(actor: AuditActor, target: { tunnelId: string } | { siteId: string }, raw: Record<string, string>) {
  const parsed = pskMaxAgeSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  const days = parsed.data.pskMaxAgeDays;
  return runInTransaction(async (tx) => {
    const before = await getPskMaxAges(tx, target);
    if (!before) throw notFound("tunnel" in target ? "tunnel" : "site");
    await setPskMaxAge(tx, target, days);
    const what = "tunnelId" in target ? "tunnel" : `site ${(before as { name: string }).name}`;
    await recordAudit(tx, actor, {
      action: "psk-policy.update",
      targetType: "tunnelId" in target ? "tunnel" : "site",
      targetId: before.id,
      summary: days ? `Set the maximum PSK age of the ${what} to ${days} days` : `Turned the maximum PSK age of the ${what} off`,
      before: { pskMaxAgeDays: before.pskMaxAgeDays },
      after: { pskMaxAgeDays: days },
    });
    return days;
  });
}

export async function updateRotationSchedule(actor: AuditActor, raw: Record<string, string>) {
  const parsed = rotationScheduleSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(zodFieldErrors(parsed.error));
  return runInTransaction(async (tx) => {
    const row = await saveRotationSchedule(tx, parsed.data);
    await recordAudit(tx, actor, {
      action: "rotation-schedule.update",
      targetType: "rotation-schedule",
      targetId: row.id,
      summary: parsed.data.enabled
        ? `Scheduled PSK rotation on: windows at "${parsed.data.cron}" (UTC), ${parsed.data.windowMinutes} minutes`
        : "Scheduled PSK rotation off",
      after: parsed.data,
    });
    return row;
  });
}
