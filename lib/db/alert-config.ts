// Alert channels and rules as admins edit them, the PSK maximum ages on tunnels and
// sites, and the scheduled-rotation window. Every write takes the caller's transaction,
// in which lib/alerts/manage-alerts.ts records the audit event.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

const channelSelect = { id: true, name: true, kind: true, config: true, enabled: true, createdAt: true, secretEnc: true } as const;

export async function listAlertChannels() {
  const rows = await getDb().alertChannel.findMany({
    orderBy: { name: "asc" },
    select: { ...channelSelect, _count: { select: { rules: true } } },
  });
  // The pages learn whether a secret is set, never the envelope.
  return rows.map(({ secretEnc, ...r }) => ({ ...r, hasSecret: secretEnc !== null }));
}

export async function getAlertChannel(tx: Tx, id: string) {
  return tx.alertChannel.findUnique({ where: { id }, select: channelSelect });
}

export async function getAlertChannelByName(tx: Tx, name: string) {
  return tx.alertChannel.findUnique({ where: { name }, select: { id: true } });
}

export async function insertAlertChannel(
  tx: Tx,
  data: { id: string; name: string; kind: string; config: string; secretEnc: string | null },
) {
  return tx.alertChannel.create({ data, select: { id: true, name: true, kind: true } });
}

export async function setAlertChannelEnabled(tx: Tx, id: string, enabled: boolean) {
  return tx.alertChannel.update({ where: { id }, data: { enabled }, select: { id: true, name: true } });
}

export async function deleteAlertChannelRow(tx: Tx, id: string) {
  await tx.alertChannel.delete({ where: { id } });
}

export async function listAlertRules() {
  return getDb().alertRule.findMany({ orderBy: { name: "asc" }, include: { channel: { select: { name: true, kind: true } } } });
}

export async function getAlertRule(tx: Tx, id: string) {
  return tx.alertRule.findUnique({ where: { id } });
}

export async function getAlertRuleByName(tx: Tx, name: string) {
  return tx.alertRule.findUnique({ where: { name }, select: { id: true } });
}

export async function insertAlertRule(
  tx: Tx,
  data: { name: string; kind: string; graceSeconds: number; threshold: number | null; channelId: string },
) {
  return tx.alertRule.create({ data });
}

export async function updateAlertRuleRow(
  tx: Tx,
  id: string,
  data: { enabled?: boolean; graceSeconds?: number; threshold?: number | null },
) {
  return tx.alertRule.update({ where: { id }, data });
}

export async function deleteAlertRuleRow(tx: Tx, id: string) {
  await tx.alertRule.delete({ where: { id } });
}

// ---- PSK age policy ----

export async function getPskMaxAges(tx: Tx, target: { tunnelId: string } | { siteId: string }) {
  return "tunnelId" in target
    ? tx.tunnel.findUnique({ where: { id: target.tunnelId }, select: { id: true, pskMaxAgeDays: true } })
    : tx.site.findUnique({ where: { id: target.siteId }, select: { id: true, name: true, pskMaxAgeDays: true } });
}

export async function setPskMaxAge(tx: Tx, target: { tunnelId: string } | { siteId: string }, days: number | null) {
  if ("tunnelId" in target) await tx.tunnel.update({ where: { id: target.tunnelId }, data: { pskMaxAgeDays: days } });
  else await tx.site.update({ where: { id: target.siteId }, data: { pskMaxAgeDays: days } });
}

// ---- Scheduled rotation ----

export const ROTATION_SCHEDULE_ID = "fleet";

export async function getRotationSchedule(tx: Tx = getDb()) {
  return tx.rotationSchedule.findUnique({ where: { id: ROTATION_SCHEDULE_ID } });
}

export async function saveRotationSchedule(tx: Tx, data: { enabled: boolean; cron: string; windowMinutes: number }) {
  return tx.rotationSchedule.upsert({ where: { id: ROTATION_SCHEDULE_ID }, create: { id: ROTATION_SCHEDULE_ID, ...data }, update: data });
}

/** Takes a window once across instances: true for the one caller that moved lastWindowAt to it. */
export async function claimRotationWindow(windowStart: Date): Promise<boolean> {
  const r = await getDb().rotationSchedule.updateMany({
    where: { id: ROTATION_SCHEDULE_ID, enabled: true, OR: [{ lastWindowAt: null }, { lastWindowAt: { lt: windowStart } }] },
    data: { lastWindowAt: windowStart },
  });
  return r.count === 1;
}

/** Sites and tunnels with their own maximum PSK age, for the policy form. */
export async function listPskPolicyTargets() {
  const db = getDb();
  const [sites, tunnels] = await Promise.all([
    db.site.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, pskMaxAgeDays: true } }),
    db.tunnel.findMany({
      orderBy: { createdAt: "asc" },
      select: { id: true, pskMaxAgeDays: true, ends: { orderBy: { role: "asc" }, select: { gateway: { select: { name: true } } } } },
    }),
  ]);
  return {
    sites,
    tunnels: tunnels.map((t) => ({ id: t.id, pskMaxAgeDays: t.pskMaxAgeDays, name: t.ends.map((e) => e.gateway.name).join(" ↔ ") })),
  };
}
