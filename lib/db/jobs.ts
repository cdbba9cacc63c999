// Job rows, their steps and logs, and per-gateway locks. The rows are the shared
// truth between app instances: claiming and locking are single conditional writes.
import "server-only";
import { getDb } from "@/lib/db/client";
import { isLostWriteRace } from "@/lib/db/errors";

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";
export type StepStatus = "pending" | "running" | "ok" | "failed" | "skipped" | "rolled-back";

export async function insertJob(data: {
  kind: string;
  targetType: string;
  targetId: string;
  params: unknown;
  createdById: string | null;
  createdByName: string;
}) {
  return getDb().job.create({
    data: { ...data, params: JSON.stringify(data.params ?? {}), status: "queued" },
    select: { id: true },
  });
}

export async function listQueuedJobs(limit: number) {
  return getDb().job.findMany({ where: { status: "queued" }, orderBy: { createdAt: "asc" }, take: limit });
}

/** True when this instance won the job (another may have claimed it first). */
export async function claimJob(jobId: string, owner: string): Promise<boolean> {
  const now = new Date();
  const r = await getDb().job.updateMany({
    where: { id: jobId, status: "queued" },
    data: { status: "running", owner, startedAt: now, heartbeatAt: now },
  });
  return r.count === 1;
}

export async function heartbeatJobs(jobIds: string[]) {
  if (!jobIds.length) return;
  await getDb().job.updateMany({ where: { id: { in: jobIds }, status: "running" }, data: { heartbeatAt: new Date() } });
}

/**
 * Records the outcome of a running job. Conditional: a job another instance already
 * marked interrupted (this one's heartbeat went stale) keeps that status, because a
 * fresh copy of it may be queued; false then.
 */
export async function finishJob(jobId: string, status: "succeeded" | "failed", result: unknown, error: string | null): Promise<boolean> {
  const r = await getDb().job.updateMany({
    where: { id: jobId, status: "running" },
    data: { status, result: JSON.stringify(result ?? null), error, finishedAt: new Date() },
  });
  return r.count === 1;
}

/**
 * Jobs left "running" by an instance that stopped (by owner, or by stale heartbeat), or
 * one job that lost its record mid-way (by id), with why.
 * Returns only the jobs this call marked: when two live instances notice the same dead
 * one, each interrupted job is recovered (re-queued, onInterrupted) exactly once.
 */
export async function markInterrupted(
  where: { id?: string; owner?: string; heartbeatBefore?: Date },
  error = "The app stopped while this job was running.",
) {
  const filter = {
    status: "running",
    ...(where.id ? { id: where.id } : {}),
    ...(where.owner ? { owner: where.owner } : {}),
    ...(where.heartbeatBefore ? { heartbeatAt: { lt: where.heartbeatBefore } } : {}),
  };
  const db = getDb();
  const found = await db.job.findMany({
    where: filter,
    select: { id: true, kind: true, targetType: true, targetId: true, params: true, owner: true, createdById: true, createdByName: true },
  });
  const marked: typeof found = [];
  for (const j of found) {
    const r = await db.job.updateMany({
      where: { id: j.id, status: "running", ...(where.heartbeatBefore ? { heartbeatAt: { lt: where.heartbeatBefore } } : {}) },
      data: { status: "interrupted", finishedAt: new Date(), error },
    });
    if (r.count !== 1) continue;
    await db.jobStep.updateMany({
      where: { jobId: j.id, status: "running" },
      data: { status: "failed", detail: "interrupted", finishedAt: new Date() },
    });
    marked.push(j);
  }
  return marked;
}

/** A queued job, for the instance that was handed its id by the queue. */
export async function getQueuedJob(jobId: string) {
  return getDb().job.findFirst({ where: { id: jobId, status: "queued" } });
}

/** Queued jobs (oldest first) the queue may not know about: inserted without a message, or whose message was lost. */
export async function listQueuedJobIds(opts: { createdBefore?: Date; limit: number }) {
  return getDb().job.findMany({
    where: { status: "queued", ...(opts.createdBefore ? { createdAt: { lt: opts.createdBefore } } : {}) },
    orderBy: { createdAt: "asc" },
    take: opts.limit,
    select: { id: true, kind: true },
  });
}

/** How many times the same work (kind, target, parameters) was interrupted since a time: a re-queue limit. */
export async function countInterruptedJobs(job: { kind: string; targetType: string; targetId: string; params: string }, since: Date) {
  return getDb().job.count({
    where: {
      kind: job.kind,
      targetType: job.targetType,
      targetId: job.targetId,
      params: job.params,
      status: "interrupted",
      createdAt: { gte: since },
    },
  });
}

export async function upsertStep(
  jobId: string,
  seq: number,
  data: { name: string; gatewayId: string | null; status: StepStatus; detail?: string | null },
) {
  const now = new Date();
  const timing = data.status === "running" ? { startedAt: now } : data.status === "pending" ? {} : { finishedAt: now };
  await getDb().jobStep.upsert({
    where: { jobId_seq: { jobId, seq } },
    create: { jobId, seq, name: data.name, gatewayId: data.gatewayId, status: data.status, detail: data.detail ?? null, ...timing },
    update: { status: data.status, detail: data.detail ?? null, ...timing },
  });
}

export async function appendJobLog(jobId: string, seq: number, level: string, message: string, gateway: string | null) {
  await getDb().jobLog.create({ data: { jobId, seq, level, message, gateway } });
}

export async function nextLogSeq(jobId: string): Promise<number> {
  const last = await getDb().jobLog.findFirst({ where: { jobId }, orderBy: { seq: "desc" }, select: { seq: true } });
  return (last?.seq ?? 0) + 1;
}

/** A job's status alone; null when there is no such job. */
export async function getJobStatus(jobId: string): Promise<string | null> {
  return (await getDb().job.findUnique({ where: { id: jobId }, select: { status: true } }))?.status ?? null;
}

export async function getJob(jobId: string, logsAfter = 0) {
  return getDb().job.findUnique({
    where: { id: jobId },
    include: {
      steps: { orderBy: { seq: "asc" } },
      logs: { where: { seq: { gt: logsAfter } }, orderBy: { seq: "asc" }, take: 1000 },
    },
  });
}

export async function listJobs(opts: { take?: number; targetType?: string; targetId?: string } = {}) {
  return getDb().job.findMany({
    where: { ...(opts.targetType ? { targetType: opts.targetType } : {}), ...(opts.targetId ? { targetId: opts.targetId } : {}) },
    orderBy: { createdAt: "desc" },
    take: opts.take ?? 100,
  });
}

/** Locks every gateway or none. Expired locks (a dead instance's) are taken over. */
export async function acquireGatewayLocks(gatewayIds: string[], jobId: string, owner: string, ttlMs: number): Promise<boolean> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + ttlMs);
  try {
    await getDb().$transaction(async (tx) => {
      await tx.gatewayLock.deleteMany({ where: { gatewayId: { in: gatewayIds }, expiresAt: { lt: now } } });
      for (const gatewayId of [...new Set(gatewayIds)].sort()) {
        await tx.gatewayLock.create({ data: { gatewayId, jobId, owner, expiresAt } });
      }
    });
    return true;
  } catch (e) {
    if (isLostWriteRace(e)) return false;
    throw e;
  }
}

export async function refreshGatewayLocks(jobIds: string[], ttlMs: number) {
  if (!jobIds.length) return;
  await getDb().gatewayLock.updateMany({ where: { jobId: { in: jobIds } }, data: { expiresAt: new Date(Date.now() + ttlMs) } });
}

/** Who holds these gateways now (for a waiting job's log line). */
export async function getGatewayLockHolders(gatewayIds: string[]) {
  return getDb().gatewayLock.findMany({ where: { gatewayId: { in: gatewayIds } }, select: { gatewayId: true, jobId: true, owner: true } });
}

export async function releaseGatewayLocks(jobId: string) {
  await getDb().gatewayLock.deleteMany({ where: { jobId } });
}

/** Locks of jobs that are not running (an instance died between locking and claiming): start-up of the only instance. */
export async function releaseLocksOfIdleJobs() {
  const running = await getDb().job.findMany({ where: { status: "running" }, select: { id: true } });
  await getDb().gatewayLock.deleteMany({ where: { jobId: { notIn: running.map((j) => j.id) } } });
}

export async function releaseLocksOfOwner(owner: string) {
  await getDb().gatewayLock.deleteMany({ where: { owner } });
}

/** What each job was about, as a person reads it: "HQ ↔ Oslo", a gateway's name, a site's, or "every tunnel". */
export async function jobTargetLabels(jobs: readonly { targetType: string; targetId: string }[]): Promise<Map<string, string>> {
  const ids = (type: string) => [...new Set(jobs.filter((j) => j.targetType === type).map((j) => j.targetId))];
  const db = getDb();
  const [tunnels, gateways, sites, credentials] = await Promise.all([
    db.tunnel.findMany({
      where: { id: { in: ids("tunnel") } },
      select: { id: true, ends: { orderBy: { role: "asc" }, select: { gateway: { select: { site: { select: { name: true } } } } } } },
    }),
    db.gateway.findMany({ where: { id: { in: ids("gateway") } }, select: { id: true, name: true } }),
    db.site.findMany({ where: { id: { in: ids("site") } }, select: { id: true, name: true } }),
    db.sshCredential.findMany({ where: { id: { in: ids("ssh-credential") } }, select: { id: true, name: true } }),
  ]);
  const labels = new Map<string, string>();
  for (const t of tunnels) labels.set(`tunnel:${t.id}`, t.ends.map((e) => e.gateway.site.name).join(" ↔ "));
  for (const g of gateways) labels.set(`gateway:${g.id}`, g.name);
  for (const s of sites) labels.set(`site:${s.id}`, s.name);
  for (const c of credentials) labels.set(`ssh-credential:${c.id}`, `SSH credential ${c.name}`);
  labels.set("fleet:all", "every tunnel");
  return labels;
}
