// What a rotation reports per tunnel (its outcome, the traffic interruption measured
// across the switch) and how a failed one is audited.
import "server-only";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import type { JobContext } from "@/lib/jobs/types";
import type { EndRole, RotationState } from "@/lib/rotation/rotation-state";

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

export const labelOf = (ends: readonly RenderableEnd[]) => `${ends[0]!.gatewayName} ↔ ${ends[1]!.gatewayName}`;

export function describeInterruption(i: Interruption | "not measured"): string {
  if (i === "not measured") return "not measured";
  const gap = i.longestGapMs === undefined ? "" : `, longest gap ${i.longestGapMs} ms`;
  return `${i.lost} of ${i.sent} packets lost (ping every ${i.intervalMs} ms${gap})`;
}

export async function auditRotationFailure(
  ctx: JobContext<unknown>,
  tunnelId: string,
  label: string,
  state: RotationState,
  result: "abandoned" | "reverted" | "stuck",
  interruption: Interruption | "not measured",
) {
  const what = {
    abandoned: "nothing was changed on the routers",
    reverted: "both ends are back on the previous key",
    stuck: "the revert failed too: check both routers",
  }[result];
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
