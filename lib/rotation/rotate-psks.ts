// The `rotate` and `rotate-recover` job handlers: a set of tunnels (one, a site's,
// or all) rotated in batches of at most MAX_GATEWAYS_PER_BATCH routers, each batch
// phase by phase across its routers over one SSH session each (rotate-batch.ts); and,
// after a crash, each tunnel's half-done rotation finished or reverted as
// decideRecovery says.
import "server-only";
import { getRotationSnapshot } from "@/lib/db/rotation";
import { getTunnelGatewayIds } from "@/lib/db/gateways";
import { recordAudit } from "@/lib/db/audit";
import { runInTransaction } from "@/lib/db/client";
import type { RouterIO } from "@/lib/deploy/router-io";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { runPerGateway, type ScheduledTunnel } from "@/lib/rotation/gateway-scheduler";
import { decideRecovery, type EndRole } from "@/lib/rotation/rotation-state";
import { revertTunnel, type RotationHooks, type TunnelOutcome } from "@/lib/rotation/rotate-tunnel";
import { rotateBatch } from "@/lib/rotation/rotate-batch";
import { chunkByGateways } from "@/lib/deploy/fleet-plan";
import { SessionCache } from "@/lib/rotation/session-cache";

export type ConnectGateway = (gatewayId: string, ctx: JobContext<unknown>) => Promise<RouterIO>;

export type RotateParams = { tunnelIds: string[] };
export type RecoverParams = { tunnelIds: string[]; interruptedJobId?: string };

/** Recovery settles tunnels this many routers at a time. */
export const MAX_GATEWAYS_AT_ONCE = 16;
/** SSH sessions a rotation batch holds open at once (a hub counts once). */
export const MAX_GATEWAYS_PER_BATCH = 64;

async function schedule(tunnelIds: string[]): Promise<ScheduledTunnel[]> {
  const out: ScheduledTunnel[] = [];
  for (const tunnelId of [...new Set(tunnelIds)]) {
    const g = await getTunnelGatewayIds(tunnelId);
    if (g.length === 2) out.push({ tunnelId, gatewayIds: [g[0]!, g[1]!] });
  }
  return out;
}

function summarize(outcomes: TunnelOutcome[]) {
  const count = (r: TunnelOutcome["result"]) => outcomes.filter((o) => o.result === r).length;
  return { rotated: count("rotated"), reverted: count("reverted"), abandoned: count("abandoned"), stuck: count("stuck"), skipped: count("skipped") };
}

/** Every tunnel's outcome; one tunnel failing does not stop the others. */
export async function rotateTunnelSet(ctx: JobContext<RotateParams>, connect: ConnectGateway, hooks: RotationHooks = {}): Promise<TunnelOutcome[]> {
  const tunnels = await schedule(ctx.params.tunnelIds);
  if (!tunnels.length) throw new JobFailure("None of these tunnels exists any more.");
  const c = ctx as JobContext<unknown>;
  const batches = chunkByGateways(tunnels.map((t) => ({ tunnelId: t.tunnelId, a: t.gatewayIds[0], b: t.gatewayIds[1] })), MAX_GATEWAYS_PER_BATCH);
  await ctx.log("info", `Rotating the PSK of ${tunnels.length} tunnel(s) in ${batches.length} batch(es) of at most ${MAX_GATEWAYS_PER_BATCH} gateways, one SSH session per gateway`);
  const outcomes = new Map<string, TunnelOutcome>();
  for (const batch of batches) {
    const sessions = new SessionCache((g) => connect(g, c));
    try {
      for (const o of await rotateBatch(c, batch.map((t) => t.tunnelId), { sessions, hooks })) outcomes.set(o.tunnelId, o);
    } finally {
      await sessions.closeAll();
    }
  }
  const ordered = tunnels.map((t) => outcomes.get(t.tunnelId)!);
  for (const o of ordered.filter((o) => o.result === "skipped")) await ctx.note(`${o.label}: skipped`, null, "skipped", o.error ?? undefined);
  return ordered;
}

export async function rotatePsks(ctx: JobContext<RotateParams>, connect: ConnectGateway, hooks: RotationHooks = {}) {
  const outcomes = await rotateTunnelSet(ctx, connect, hooks);
  const summary = summarize(outcomes);
  await ctx.log(summary.rotated === outcomes.length ? "info" : "warn", `Done: ${JSON.stringify(summary)}`);
  const bad = outcomes.filter((o) => o.result !== "rotated");
  if (bad.length) {
    throw new JobFailure(
      `${summary.rotated} of ${outcomes.length} tunnel(s) rotated. ${bad.map((o) => `${o.label}: ${o.result}${o.error ? ` — ${o.error}` : ""}`).join("; ")}`,
    );
  }
  return { ...summary, tunnels: outcomes.map(({ tunnelId, label, result, fromVersion, toVersion, interruption }) => ({ tunnelId, label, result, fromVersion, toVersion, interruption })) };
}

export async function recoverRotations(ctx: JobContext<RecoverParams>, connect: ConnectGateway, hooks: RotationHooks = {}) {
  const tunnels = await schedule(ctx.params.tunnelIds);
  const c = ctx as JobContext<unknown>;
  const decisions: { tunnelId: string; action: string; reason: string; result?: string }[] = [];
  const finish = new Map<string, number>();
  await ctx.log("warn", `Settling the rotation${ctx.params.interruptedJobId ? ` of interrupted job ${ctx.params.interruptedJobId}` : ""} for ${tunnels.length} tunnel(s)`);
  const outcomes = await runPerGateway(tunnels, {
    maxGateways: MAX_GATEWAYS_AT_ONCE,
    connect: (g) => connect(g, c),
    onError: (t, e) => ({ tunnelId: t.tunnelId, action: "error", reason: e instanceof Error ? e.message : String(e), result: "stuck" }),
    run: async (t, io) => {
      const snap = await getRotationSnapshot(t.tunnelId);
      if (!snap) return { tunnelId: t.tunnelId, action: "none", reason: "the tunnel no longer exists", result: "none" };
      const active = snap.keys.find((k) => k.status === "active")?.version ?? null;
      const decision = decideRecovery({
        deployState: snap.deployState,
        activeVersion: active,
        pendingVersions: snap.keys.filter((k) => k.status === "pending").map((k) => k.version),
        ends: snap.ends.map((e) => ({ role: e.role as EndRole, appliedPskVersion: e.appliedPskVersion })),
      });
      await ctx.log("info", `${t.tunnelId}: ${decision.action} (${decision.reason})`);
      let result: string = decision.action;
      if (decision.action === "finish") {
        finish.set(t.tunnelId, decision.newVersion);
        return { tunnelId: t.tunnelId, action: decision.action, reason: decision.reason, result: "pending" };
      } else if (decision.action === "revert") {
        const r = await revertTunnel(c, { io, hooks }, t.tunnelId, { oldVersion: decision.oldVersion, abandon: decision.abandon, apply: true, why: `recovery: ${decision.reason}` });
        result = r.ok ? "reverted" : "stuck";
        await runInTransaction((tx) =>
          recordAudit(tx, ctx.actor, {
            action: "tunnel.psk.rotate",
            targetType: "tunnel",
            targetId: t.tunnelId,
            summary: `Interrupted PSK rotation settled after a restart: ${r.ok ? `both ends back on v${decision.oldVersion}` : "revert failed, check both routers"}; interruption not measured`,
            after: { result, recovery: decision, job: ctx.jobId, interruption: "not measured" },
          }),
        );
      }
      return { tunnelId: t.tunnelId, action: decision.action, reason: decision.reason, result };
    },
  });
  decisions.push(...outcomes);
  if (finish.size) {
    // Both ends already hold the pending key: finish those rotations as one batch.
    const sessions = new SessionCache((g) => connect(g, c));
    try {
      for (const o of await rotateBatch(c, [...finish.keys()], { sessions, hooks }, finish)) {
        decisions.find((d) => d.tunnelId === o.tunnelId)!.result = o.result;
      }
    } finally {
      await sessions.closeAll();
    }
  }
  const bad = decisions.filter((d) => d.result === "stuck");
  if (bad.length) throw new JobFailure(`Could not settle ${bad.length} tunnel(s): ${bad.map((d) => `${d.tunnelId}: ${d.reason}`).join("; ")}`);
  return { decisions };
}
