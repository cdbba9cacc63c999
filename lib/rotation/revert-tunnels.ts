// Puts tunnels back on their previous key: after a rotation failed past its first
// upload, and in crash recovery, so the two ends never stay on different keys. The same
// engine as the rotation (applyKeyVersion) with the old version as the target: the old
// key's files go to both ends again, the key switch re-runs where one may have begun
// (`switchKeys`), and both ends must show a new IKE SA (or, without a switch, the tunnel
// must be up), then the LAN ping. Only then are the pending versions retired.
import "server-only";
import { loadTunnelEnds } from "@/lib/rendering/load-ends";
import { runInTransaction } from "@/lib/db/client";
import { abandonPendingKeys } from "@/lib/db/rotation";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { applyKeyVersion } from "@/lib/rotation/apply-key-version";
import { fail, message, type KeyTarget } from "@/lib/rotation/key-target";
import { labelOf } from "@/lib/rotation/rotation-outcome";
import type { EndRole } from "@/lib/rotation/rotation-state";
import type { SessionCache } from "@/lib/rotation/session-cache";

export type Revert = {
  tunnelId: string;
  oldVersion: number;
  /** Pending versions retired once the old key is proven on both ends. */
  abandon: number[];
  /** A key switch may have begun (some router may hold another key in memory). */
  switchKeys: boolean;
  /** Without a key switch: the only ends that may hold another key (the rest are left alone); both when absent. */
  only?: EndRole[];
  why: string;
};

export type RevertResult = { ok: true } | { ok: false; error: string };

type Target = KeyTarget & { abandon: number[] };

/** Each tunnel's result by id; one tunnel failing does not stop the others. */
export async function revertTunnels(
  ctx: JobContext<unknown>,
  sessions: SessionCache,
  reverts: Revert[],
): Promise<Map<string, RevertResult>> {
  const results = new Map<string, RevertResult>();
  const failed = async (label: string, tunnelId: string, error: string) => {
    results.set(tunnelId, { ok: false, error });
    await ctx.log(
      "error",
      `${label}: revert failed: ${error}. Both routers may need a look; the pending key stays pending for the recovery job.`,
    );
  };
  const targets: Target[] = [];
  for (const r of reverts) {
    try {
      const old = await loadTunnelEnds(r.tunnelId, r.oldVersion);
      if (!old) throw new JobFailure("The tunnel no longer exists.");
      ctx.addSecret(old.ends[0].end.psk);
      const { tunnelId, oldVersion: version, switchKeys, abandon } = r;
      const only = switchKeys ? undefined : r.only;
      const t: Target = { tunnelId, label: labelOf(old.ends), version, ends: old.ends, switchKeys, only, error: null, proofs: [], abandon };
      if (only && only.length === 0) {
        // Nothing was written to either router: the rotation is simply dropped.
        await runInTransaction((tx) => abandonPendingKeys(tx, t.tunnelId, t.abandon));
        await ctx.log("info", `${t.label}: no router received key files; key v${t.version} stays on both ends, untouched`);
        results.set(tunnelId, { ok: true });
        continue;
      }
      const where = only ? `end ${only.join(" and ")} only, the one that received the new key` : "both ends";
      await ctx.log("warn", `${t.label}: putting key v${t.version} back on ${where} (${r.why})`);
      targets.push(t);
    } catch (e) {
      await failed(r.tunnelId, r.tunnelId, message(e));
    }
  }
  const proven = new Set<Target>();
  try {
    await applyKeyVersion(ctx, sessions, targets, {
      keyName: "previous key",
      proven: async (t) => {
        await runInTransaction((tx) => abandonPendingKeys(tx, t.tunnelId, t.abandon));
        proven.add(t);
        await ctx.log("info", `${t.label}: both ends are back on key v${t.version} and the tunnel is up`);
      },
    });
  } catch (e) {
    // A bug or a database failure mid-way: whatever is not proven yet counts as failed.
    for (const t of targets) if (!proven.has(t)) fail(t, e);
  }
  for (const t of targets) {
    if (proven.has(t)) results.set(t.tunnelId, { ok: true });
    else await failed(t.label, t.tunnelId, t.error ?? "the revert did not finish");
  }
  return results;
}
