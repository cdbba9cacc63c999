// The end of a tunnel's successful rotation: the new version becomes active and the old
// one retired in the same transaction as the audit, which records who, the versions,
// the proofs on both ends and the interruption measured.
import "server-only";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import { activateKey } from "@/lib/db/rotation";
import type { JobContext } from "@/lib/jobs/types";
import type { Run } from "@/lib/rotation/prepare-rotation";
import { transition } from "@/lib/rotation/rotation-state";
import { describeInterruption, type Interruption } from "@/lib/rotation/rotation-outcome";

export async function commitRotation(ctx: JobContext<unknown>, r: Run): Promise<void> {
  const version = r.version;
  await runInTransaction(async (tx) => {
    await activateKey(tx, r.tunnelId, version);
    await recordAudit(tx, ctx.actor, {
      action: "tunnel.psk.rotate",
      targetType: "tunnel",
      targetId: r.tunnelId,
      summary: `Rotated the PSK of ${r.label}: v${r.oldVersion} → v${version}; new IKE SA on both ends; interruption ${describeInterruption(r.interruption)}`,
      before: { pskVersion: r.oldVersion },
      after: { result: "rotated", pskVersion: version, job: ctx.jobId, interruption: r.interruption, proofs: r.proofs },
    });
  });
  r.state = transition(r.state, { type: "committed" });
  const { tunnelId, label, oldVersion: fromVersion, interruption, proofs } = r;
  r.outcome = { tunnelId, label, result: "rotated", fromVersion, toVersion: version, error: null, interruption, proofs };
}

/** The interruption meter's result, once; later calls (a revert after a failed commit) get nothing. */
export async function stopMeter(r: Run): Promise<Interruption | undefined> {
  const m = r.meter;
  r.meter = null;
  return m ? await m.stop() : undefined;
}
