// The start of one tunnel's rotation: it must exist and be deployed, with no earlier
// rotation left half done (unless this is crash recovery finishing one: `resumeVersion`
// is the pending version both ends already received). Creates the pending key and loads
// both ends rendered with it. Nothing is written to a router here, so a failure only
// drops the pending key ("abandoned").
import "server-only";
import { generatePsk } from "@/lib/secrets/psk";
import { encryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { loadTunnelEnds } from "@/lib/rendering/load-ends";
import { runInTransaction } from "@/lib/db/client";
import { abandonPendingKeys, createPendingKey, getMaxPskVersion, getRotationSnapshot } from "@/lib/db/rotation";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { message, type KeyTarget } from "@/lib/rotation/key-target";
import { initialRotationState, transition, type EndRole, type RotationState } from "@/lib/rotation/rotation-state";
import { auditRotationFailure, labelOf, type Interruption, type TunnelOutcome } from "@/lib/rotation/rotation-outcome";

/** A tunnel on its way to its new key: the engine's target plus the rotation's own state. */
export type Run = KeyTarget & {
  oldVersion: number;
  state: RotationState;
  meter: { stop(): Promise<Interruption> } | null;
  interruption: Interruption | "not measured";
  outcome: TunnelOutcome | null;
  /** Ends whose secret files may hold the new key (an upload replaced a file, or may have before it failed). */
  touched: Set<EndRole>;
};

/** A Run ready for the upload, or the tunnel's outcome when it cannot start (skipped, abandoned). */
export async function prepareRotation(
  ctx: JobContext<unknown>,
  tunnelId: string,
  resumeVersion: number | undefined,
): Promise<Run | TunnelOutcome> {
  const snapshot = await getRotationSnapshot(tunnelId);
  const old = snapshot ? await loadTunnelEnds(tunnelId, "active") : null;
  const label = old ? labelOf(old.ends) : tunnelId;
  const skipped = (why: string): TunnelOutcome => ({
    tunnelId,
    label,
    result: "skipped",
    fromVersion: old?.pskVersion ?? null,
    toVersion: null,
    error: why,
    interruption: "not measured",
    proofs: [],
  });
  if (!snapshot || !old) return skipped("the tunnel no longer exists");
  if (snapshot.deployState !== "deployed") return skipped(`not deployed (${snapshot.deployState}): deploy it first, then rotate`);
  if (resumeVersion === undefined && snapshot.keys.some((k) => k.status === "pending")) {
    return skipped("its last rotation is stuck (a pending key): a recovery job settles it, or press Repair on the tunnel page");
  }
  ctx.addSecret(old.ends[0].end.psk);
  let state = initialRotationState(old.pskVersion);
  try {
    let version = resumeVersion;
    if (version === undefined) {
      const psk = generatePsk();
      ctx.addSecret(psk);
      version = (await getMaxPskVersion(tunnelId)) + 1;
      await createPendingKey(tunnelId, version, encryptSecret(psk, getKeyring(), secretPurpose.psk(tunnelId, version)));
    }
    state = transition(state, { type: "key-created", version });
    const next = await loadTunnelEnds(tunnelId, version);
    if (!next) throw new JobFailure("The tunnel no longer exists.");
    ctx.addSecret(next.ends[0].end.psk);
    state = transition(state, { type: "upload-started" });
    await ctx.log(
      "info",
      `${label}: key v${old.pskVersion} → v${version}${resumeVersion === undefined ? "" : " (already on both routers: finishing)"}`,
    );
    const base = { tunnelId, label, version, ends: next.ends, switchKeys: true, error: null, proofs: [] };
    return { ...base, oldVersion: old.pskVersion, state, meter: null, interruption: "not measured", outcome: null, touched: new Set() };
  } catch (e) {
    return abandon(ctx, tunnelId, label, state, message(e));
  }
}

async function abandon(
  ctx: JobContext<unknown>,
  tunnelId: string,
  label: string,
  state: RotationState,
  reason: string,
): Promise<TunnelOutcome> {
  const failed = transition(state, { type: "failed", reason });
  await ctx.log("error", `${label}: ${failed.phase} (${reason})`);
  if (failed.newVersion !== null) await runInTransaction((tx) => abandonPendingKeys(tx, tunnelId, [failed.newVersion!]));
  await auditRotationFailure(ctx, tunnelId, label, failed, "abandoned", "not measured");
  return {
    tunnelId,
    label,
    result: "abandoned",
    fromVersion: failed.oldVersion,
    toVersion: failed.newVersion,
    error: failed.error ?? reason,
    interruption: "not measured",
    proofs: [],
  };
}
