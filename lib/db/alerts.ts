// Alert rows: channels, rules, alerts (pending → firing → resolved) and their deliveries,
// and the fleet snapshot the evaluator reads after a health round. Channel secrets are
// envelopes here; lib/alerts encrypts and decrypts them.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";
import { effectiveMaxAgeDays } from "@/lib/alerts/psk-age";
import type { AlertSnapshot, SnapshotTunnel } from "@/lib/alerts/conditions";
import type { AlertStep, OpenAlert } from "@/lib/alerts/evaluate-alerts";

const FINISHED_JOBS_LOOKBACK_MS = 7 * 86_400_000;

const tunnelSelect = {
  id: true,
  deployState: true,
  healthState: true,
  healthReason: true,
  healthAt: true,
  pskMaxAgeDays: true,
  ends: {
    orderBy: { role: "asc" },
    select: { gateway: { select: { name: true, site: { select: { name: true, pskMaxAgeDays: true } } } } },
  },
  keys: { where: { status: "active" }, select: { version: true, activatedAt: true, createdAt: true }, take: 1 },
} as const;

/**
 * Deployed tunnels with their names, health, active key and effective maximum key age;
 * `withKeyAge`: only those a maximum key age applies to (the overview and the scheduler:
 * nothing to read while the policy is off).
 */
export async function loadSnapshotTunnels(opts: { withKeyAge?: boolean } = {}): Promise<SnapshotTunnel[]> {
  const tunnels = await getDb().tunnel.findMany({
    where: {
      deployState: "deployed",
      ...(opts.withKeyAge
        ? { OR: [{ pskMaxAgeDays: { not: null } }, { ends: { some: { gateway: { site: { pskMaxAgeDays: { not: null } } } } } }] }
        : {}),
    },
    orderBy: { createdAt: "asc" },
    select: tunnelSelect,
  });
  return tunnels.map((t) => ({
    id: t.id,
    deployState: t.deployState,
    healthState: t.healthState,
    healthReason: t.healthReason,
    healthAt: t.healthAt,
    ends: t.ends.map((e) => ({ gateway: e.gateway.name, site: e.gateway.site.name })),
    keyActivatedAt: t.keys[0] ? (t.keys[0].activatedAt ?? t.keys[0].createdAt) : null,
    keyVersion: t.keys[0]?.version ?? null,
    pskMaxAgeDays: effectiveMaxAgeDays(
      t.pskMaxAgeDays,
      t.ends.map((e) => e.gateway.site.pskMaxAgeDays),
    ),
  }));
}

/** Everything the rules look at, read once per round. */
export async function loadAlertSnapshot(now: Date): Promise<AlertSnapshot> {
  const db = getDb();
  const [tunnels, gateways, openJobs, finished] = await Promise.all([
    loadSnapshotTunnels(),
    db.gateway.findMany({
      orderBy: { name: "asc" },
      select: { id: true, name: true, reachability: true, reachabilityReason: true, site: { select: { name: true } } },
    }),
    db.job.findMany({ where: { status: { in: ["queued", "running"] } }, orderBy: { createdAt: "asc" } }),
    db.job.findMany({
      where: { status: { in: ["succeeded", "failed"] }, finishedAt: { gte: new Date(now.getTime() - FINISHED_JOBS_LOOKBACK_MS) } },
      orderBy: { finishedAt: "desc" },
      take: 2000,
    }),
  ]);
  const latest = new Map<string, (typeof finished)[number]>();
  for (const j of finished) {
    const key = `${j.kind}:${j.targetType}:${j.targetId}`;
    if (!latest.has(key)) latest.set(key, j);
  }
  const job = (j: (typeof finished)[number]) => ({
    id: j.id,
    kind: j.kind,
    status: j.status,
    targetType: j.targetType,
    targetId: j.targetId,
    error: j.error,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
  });
  return {
    tunnels,
    gateways: gateways.map((g) => ({
      id: g.id,
      name: g.name,
      site: g.site.name,
      reachability: g.reachability,
      reachabilityReason: g.reachabilityReason,
    })),
    jobs: [...openJobs.map(job), ...[...latest.values()].map(job)],
  };
}

export async function listEnabledRules() {
  return getDb().alertRule.findMany({
    where: { enabled: true },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      name: true,
      kind: true,
      graceSeconds: true,
      threshold: true,
      createdAt: true,
      channelId: true,
      channel: { select: { enabled: true } },
    },
  });
}

export type EnabledRule = Awaited<ReturnType<typeof listEnabledRules>>[number];

export async function listOpenAlerts(): Promise<(OpenAlert & { ruleId: string })[]> {
  const rows = await getDb().alert.findMany({
    where: { status: { in: ["pending", "firing"] } },
    select: { id: true, ruleId: true, subjectType: true, subjectId: true, status: true, since: true, state: true, reason: true },
  });
  return rows.map((r) => ({ ...r, status: r.status as "pending" | "firing" }));
}

/** Open alerts of rules no longer enabled (disabled, or deleted with their alerts): resolved quietly. */
export async function closeAlertsOfDisabledRules(now: Date): Promise<number> {
  const r = await getDb().alert.updateMany({
    where: { status: { in: ["pending", "firing"] }, rule: { enabled: false } },
    data: { status: "resolved", resolvedAt: now },
  });
  return r.count;
}

/** 1 when a message was queued; 0 for a disabled channel (the alert is still recorded, nothing is sent). */
async function queueDelivery(tx: Tx, alertId: string, rule: EnabledRule, event: "firing" | "resolved", now: Date): Promise<number> {
  if (!rule.channel.enabled) return 0;
  await tx.alertDelivery.create({ data: { alertId, channelId: rule.channelId, event, status: "pending", nextAttemptAt: now } });
  return 1;
}

/** Writes one rule's steps (one transaction): alert rows and, for fire and resolve, a pending delivery each. */
export async function applyAlertSteps(rule: EnabledRule, steps: readonly AlertStep[], origin: string, now: Date): Promise<number> {
  if (!steps.length) return 0;
  let queued = 0;
  await getDb().$transaction(async (tx) => {
    for (const step of steps) {
      switch (step.kind) {
        case "open": {
          const c = step.condition;
          const a = await tx.alert.create({
            data: {
              ruleId: rule.id,
              subjectType: c.subjectType,
              subjectId: c.subjectId,
              status: step.fire ? "firing" : "pending",
              title: c.title,
              state: c.state,
              reason: c.reason,
              link: `${origin}${c.path}`,
              names: JSON.stringify(c.names),
              since: step.since,
              firedAt: step.fire ? now : null,
            },
          });
          if (step.fire) queued += await queueDelivery(tx, a.id, rule, "firing", now);
          break;
        }
        case "fire": {
          const c = step.condition;
          const r = await tx.alert.updateMany({
            where: { id: step.alertId, status: "pending" },
            data: {
              status: "firing",
              firedAt: now,
              title: c.title,
              state: c.state,
              reason: c.reason,
              link: `${origin}${c.path}`,
              names: JSON.stringify(c.names),
            },
          });
          if (r.count === 1) queued += await queueDelivery(tx, step.alertId, rule, "firing", now);
          break;
        }
        case "update": {
          const c = step.condition;
          await tx.alert.update({ where: { id: step.alertId }, data: { title: c.title, state: c.state, reason: c.reason } });
          break;
        }
        case "resolve": {
          const r = await tx.alert.updateMany({
            where: { id: step.alertId, status: "firing" },
            data: { status: "resolved", resolvedAt: now },
          });
          if (r.count === 1) queued += await queueDelivery(tx, step.alertId, rule, "resolved", now);
          break;
        }
        case "drop":
          await tx.alert.deleteMany({ where: { id: step.alertId, status: "pending" } });
          break;
      }
    }
  });
  return queued;
}

// ---- Deliveries ----

export async function listDueDeliveryIds(now: Date, take: number) {
  const rows = await getDb().alertDelivery.findMany({
    where: { status: "pending", nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: "asc" },
    take,
    select: { id: true, attempts: true },
  });
  return rows;
}

export async function nextPendingDeliveryAt(): Promise<Date | null> {
  const d = await getDb().alertDelivery.findFirst({
    where: { status: "pending" },
    orderBy: { nextAttemptAt: "asc" },
    select: { nextAttemptAt: true },
  });
  return d?.nextAttemptAt ?? null;
}

/**
 * Takes one attempt: a conditional write, so two instances never send the same attempt.
 * The lease pushes nextAttemptAt past the send's timeout: an instance that dies mid-send
 * leaves the delivery to be tried again after it.
 */
export async function claimDeliveryAttempt(id: string, attempts: number, leaseUntil: Date, now: Date): Promise<boolean> {
  const r = await getDb().alertDelivery.updateMany({
    where: { id, status: "pending", attempts, nextAttemptAt: { lte: now } },
    data: { attempts: attempts + 1, nextAttemptAt: leaseUntil },
  });
  return r.count === 1;
}

/** A delivery with what its message and channel need (the channel's secret still encrypted). */
export async function getDeliveryForSend(id: string) {
  return getDb().alertDelivery.findUnique({
    where: { id },
    select: {
      id: true,
      event: true,
      attempts: true,
      channel: { select: { id: true, name: true, kind: true, config: true, secretEnc: true } },
      alert: {
        select: {
          id: true,
          subjectType: true,
          subjectId: true,
          title: true,
          state: true,
          reason: true,
          link: true,
          names: true,
          since: true,
          firedAt: true,
          resolvedAt: true,
          rule: { select: { id: true, name: true, kind: true } },
        },
      },
    },
  });
}

export async function finishDeliveryAttempt(
  id: string,
  outcome: { status: "delivered" } | { status: "pending"; at: Date; error: string } | { status: "failed"; error: string },
  now: Date,
) {
  await getDb().alertDelivery.update({
    where: { id },
    data:
      outcome.status === "delivered"
        ? { status: "delivered", deliveredAt: now, lastError: null }
        : outcome.status === "pending"
          ? { status: "pending", nextAttemptAt: outcome.at, lastError: outcome.error }
          : { status: "failed", lastError: outcome.error },
  });
}

// ---- Pages ----

export async function listAlerts(opts: { status?: "open" | "resolved"; skip?: number; take?: number } = {}) {
  const where =
    opts.status === "open"
      ? { status: "firing" }
      : opts.status === "resolved"
        ? { status: "resolved" }
        : { status: { in: ["firing", "resolved"] } };
  const db = getDb();
  const [rows, total] = await Promise.all([
    db.alert.findMany({
      where,
      orderBy: { since: "desc" },
      skip: opts.skip ?? 0,
      take: opts.take ?? 50,
      include: {
        rule: { select: { name: true, kind: true } },
        deliveries: { orderBy: { createdAt: "asc" }, include: { channel: { select: { name: true, kind: true } } } },
      },
    }),
    db.alert.count({ where }),
  ]);
  return { rows, total };
}

export async function countPendingAlerts() {
  return getDb().alert.count({ where: { status: "pending" } });
}
