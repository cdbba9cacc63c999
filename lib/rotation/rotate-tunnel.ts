// One tunnel's PSK rotation, driven through the state machine of rotation-state.ts:
// new key (pending) → key files to both ends → switch both ends → prove a new IKE SA
// and LAN traffic → activate the new key, retire the old one, audit. Any failure
// after the first write puts the old key back on both ends and proves the tunnel
// again, so the two ends never stay on different keys.
import "server-only";
import { generatePsk } from "@/lib/secrets/psk";
import { encryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { loadTunnelEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import { abandonPendingKeys, activateKey, createPendingKey, getMaxPskVersion, getRotationSnapshot } from "@/lib/db/rotation";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { initialRotationState, revertNeedsApply, transition, type EndRole, type RotationEvent, type RotationState } from "@/lib/rotation/rotation-state";
import { snapshotBoth, switchKeys, uploadKeyFiles, verifyNewSa, verifyStillUp, type TunnelWork } from "@/lib/rotation/key-steps";

export type Interruption = {
  sent: number;
  received: number;
  lost: number;
  intervalMs: number;
  /** Longest time between two replies: the outage as a user feels it. */
  longestGapMs?: number;
  method: string;
};

export type RotationHooks = {
  /** Test seam: runs after an end received the new key file (crash tests stop the engine here). */
  afterEndUploaded?: (tunnelId: string, role: EndRole) => Promise<void>;
  /** Measures the traffic interruption across the key switch; without it the audit says "not measured". */
  measureInterruption?: (tunnelId: string, ends: readonly [RenderableEnd, RenderableEnd]) => Promise<{ stop(): Promise<Interruption> }>;
};

export type TunnelEnv = { io(gatewayId: string): Promise<RouterIO>; hooks: RotationHooks };

export type TunnelOutcome = {
  tunnelId: string;
  label: string;
  result: "rotated" | "reverted" | "abandoned" | "stuck" | "skipped";
  fromVersion: number | null;
  toVersion: number | null;
  error: string | null;
  interruption: Interruption | "not measured";
  proofs: string[];
};

type Ctx = JobContext<unknown>;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function load(tunnelId: string, version: "active" | number) {
  const loaded = await loadTunnelEnds(tunnelId, version);
  if (!loaded) throw new JobFailure("The tunnel no longer exists.");
  return loaded;
}

export const labelOf = (ends: readonly RenderableEnd[]) => `${ends[0]!.gatewayName} ↔ ${ends[1]!.gatewayName}`;

/**
 * `resume` (crash recovery): the pending version both ends already received; the
 * rotation continues from the upload instead of creating a key.
 */
export async function rotateTunnel(ctx: Ctx, env: TunnelEnv, tunnelId: string, resume?: { newVersion: number }): Promise<TunnelOutcome> {
  const snapshot = await getRotationSnapshot(tunnelId);
  if (!snapshot) throw new JobFailure("The tunnel no longer exists.");
  const old = await load(tunnelId, "active");
  const label = labelOf(old.ends);
  const skipped = (why: string): TunnelOutcome => ({ tunnelId, label, result: "skipped", fromVersion: old.pskVersion, toVersion: null, error: why, interruption: "not measured", proofs: [] });
  if (snapshot.deployState !== "deployed") return skipped(`not deployed (${snapshot.deployState}): deploy it first, then rotate`);
  if (!resume && snapshot.keys.some((k) => k.status === "pending")) return skipped("a previous rotation did not finish; its recovery job settles it first");
  ctx.addSecret(old.ends[0].end.psk);

  let state = initialRotationState(old.pskVersion);
  const step = async (e: RotationEvent) => {
    state = transition(state, e);
    await ctx.log(e.type === "failed" ? "error" : "info", `${label}: ${state.phase}${e.type === "failed" ? ` (${e.reason})` : ""}`);
  };
  const work = (ends: readonly [RenderableEnd, RenderableEnd]): TunnelWork => ({ tunnelId, label, ends, io: (end) => env.io(end.gatewayId) });
  let meter: { stop(): Promise<Interruption> } | null = null;
  const stopMeter = async () => (meter ? await meter.stop().finally(() => (meter = null)) : undefined);
  let interruption: Interruption | "not measured" = "not measured";
  let proofs: string[] = [];

  try {
    let newVersion = resume?.newVersion;
    if (newVersion === undefined) {
      const psk = generatePsk();
      ctx.addSecret(psk);
      newVersion = (await getMaxPskVersion(tunnelId)) + 1;
      await ctx.step(`${label}: new key v${newVersion}`, null, () => createPendingKey(tunnelId, newVersion!, encryptSecret(psk, getKeyring(), secretPurpose.psk(tunnelId, newVersion!))));
    }
    await step({ type: "key-created", version: newVersion });
    const next = await load(tunnelId, newVersion);
    ctx.addSecret(next.ends[0].end.psk);
    const w = work(next.ends);
    await step({ type: "upload-started" });
    for (const end of next.ends) {
      await uploadKeyFiles(ctx, w, end, newVersion, "the new key");
      await step({ type: "end-uploaded", role: end.role });
      await env.hooks.afterEndUploaded?.(tunnelId, end.role);
    }
    const before = await snapshotBoth(w);
    meter = (await env.hooks.measureInterruption?.(tunnelId, next.ends)) ?? null;
    const switchedAt = Date.now();
    await switchKeys(ctx, w, () => void (state = transition(state, { type: "apply-started" })));
    await step({ type: "applied" });
    proofs = await verifyNewSa(ctx, w, before, switchedAt);
    await step({ type: "verified" });
    interruption = (await stopMeter()) ?? "not measured";
    await runInTransaction(async (tx) => {
      await activateKey(tx, tunnelId, newVersion!);
      await recordAudit(tx, ctx.actor, {
        action: "tunnel.psk.rotate",
        targetType: "tunnel",
        targetId: tunnelId,
        summary: `Rotated the PSK of ${label}: v${old.pskVersion} → v${newVersion}; new IKE SA on both ends; interruption ${describeInterruption(interruption)}`,
        before: { pskVersion: old.pskVersion },
        after: { result: "rotated", pskVersion: newVersion, job: ctx.jobId, interruption, proofs },
      });
    });
    await step({ type: "committed" });
    return { tunnelId, label, result: "rotated", fromVersion: old.pskVersion, toVersion: newVersion, error: null, interruption, proofs };
  } catch (e) {
    const reason = message(e);
    if (state.phase === "start" || state.phase === "key-created") {
      await step({ type: "failed", reason });
      if (state.newVersion !== null) await runInTransaction((tx) => abandonPendingKeys(tx, tunnelId, [state.newVersion!]));
      await auditFailure(ctx, tunnelId, label, state, "abandoned", interruption);
      return { tunnelId, label, result: "abandoned", fromVersion: old.pskVersion, toVersion: state.newVersion, error: reason, interruption, proofs };
    }
    await step({ type: "failed", reason });
    const outcome = await revertTunnel(ctx, env, tunnelId, { oldVersion: old.pskVersion, abandon: [state.newVersion!], apply: revertNeedsApply(state), why: reason });
    interruption = (await stopMeter().catch(() => undefined)) ?? interruption;
    await step(outcome.ok ? { type: "reverted" } : { type: "revert-failed", reason: outcome.error });
    await auditFailure(ctx, tunnelId, label, state, state.phase === "reverted" ? "reverted" : "stuck", interruption);
    return { tunnelId, label, result: state.phase === "reverted" ? "reverted" : "stuck", fromVersion: old.pskVersion, toVersion: state.newVersion, error: state.error, interruption, proofs };
  }
}

/**
 * Puts `oldVersion` back on both ends (files first, then the key switch when one may
 * have begun) and proves the tunnel; the pending versions are retired only then.
 */
export async function revertTunnel(
  ctx: Ctx,
  env: TunnelEnv,
  tunnelId: string,
  opts: { oldVersion: number; abandon: number[]; apply: boolean; why: string },
): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    const old = await load(tunnelId, opts.oldVersion);
    ctx.addSecret(old.ends[0].end.psk);
    const w: TunnelWork = { tunnelId, label: labelOf(old.ends), ends: old.ends, io: (end) => env.io(end.gatewayId) };
    await ctx.log("warn", `${w.label}: putting key v${opts.oldVersion} back on both ends (${opts.why})`);
    for (const end of old.ends) await uploadKeyFiles(ctx, w, end, opts.oldVersion, "the previous key");
    if (opts.apply) {
      const before = await snapshotBoth(w);
      const switchedAt = Date.now();
      await switchKeys(ctx, w, () => undefined);
      await verifyNewSa(ctx, w, before, switchedAt);
    } else {
      await verifyStillUp(ctx, w);
    }
    await runInTransaction((tx) => abandonPendingKeys(tx, tunnelId, opts.abandon));
    await ctx.log("info", `${w.label}: both ends are back on key v${opts.oldVersion} and the tunnel is up`);
    return { ok: true };
  } catch (e) {
    await ctx.log("error", `Revert failed: ${message(e)}. Both routers may need a look; the pending key stays pending for the recovery job.`);
    return { ok: false, error: message(e) };
  }
}

export function describeInterruption(i: Interruption | "not measured"): string {
  return i === "not measured" ? "not measured" : `${i.lost} of ${i.sent} packets lost (ping every ${i.intervalMs} ms${i.longestGapMs === undefined ? "" : `, longest gap ${i.longestGapMs} ms`})`;
}

async function auditFailure(ctx: Ctx, tunnelId: string, label: string, state: RotationState, result: "abandoned" | "reverted" | "stuck", interruption: Interruption | "not measured") {
  const what = { abandoned: "nothing was changed on the routers", reverted: "both ends are back on the previous key", stuck: "the revert failed too: check both routers" }[result];
  await runInTransaction((tx) =>
    recordAudit(tx, ctx.actor, {
      action: "tunnel.psk.rotate",
      targetType: "tunnel",
      targetId: tunnelId,
      summary: `PSK rotation of ${label} failed (${ctx.redact(state.error ?? "unknown error")}); ${what}; interruption ${describeInterruption(interruption)}`,
      before: { pskVersion: state.oldVersion },
      after: { result, attemptedVersion: state.newVersion, job: ctx.jobId, interruption },
    }),
  );
}
