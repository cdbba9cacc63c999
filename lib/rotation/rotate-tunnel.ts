// What a rotation reports per tunnel, and putting a tunnel back on its previous key
// (revertTunnel): used when a rotation fails after its first write (rotate-batch.ts)
// and by crash recovery, so the two ends never stay on different keys.
import "server-only";
import { loadTunnelEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import { abandonPendingKeys } from "@/lib/db/rotation";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import type { EndRole, RotationState } from "@/lib/rotation/rotation-state";
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

export async function auditRotationFailure(ctx: Ctx, tunnelId: string, label: string, state: RotationState, result: "abandoned" | "reverted" | "stuck", interruption: Interruption | "not measured") {
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
