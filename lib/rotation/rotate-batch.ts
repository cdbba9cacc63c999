// A batch of tunnels rotated together across the fleet, each tunnel still driven
// through its own state machine (rotation-state.ts):
//   prepare-rotation (new key, pending) → applyKeyVersion with the new version (upload to
//   every "a" end, then every "b" end; per router: list its SAs, load the keys once; per
//   tunnel: switch, a NEW IKE SA on both ends, LAN ping) → commit-rotation (activate,
//   retire, audit) as soon as that tunnel is proven.
// A hub with N tunnels thus uploads N files but loads its keys and lists its SAs once
// per round instead of once per tunnel, its N reauthentications run on N spokes at
// once, and no tunnel waits for the slowest spoke after the keys are loaded.
// A tunnel that fails at any point after its first upload is put back on its old key on
// both ends by the same engine (settle-failures) while the others carry on: the two
// ends never stay on different keys.
import "server-only";
import type { JobContext } from "@/lib/jobs/types";
import { applyKeyVersion } from "@/lib/rotation/apply-key-version";
import { commitRotation, stopMeter } from "@/lib/rotation/commit-rotation";
import { fail, tunnels } from "@/lib/rotation/key-target";
import { prepareRotation, type Run } from "@/lib/rotation/prepare-rotation";
import { settleFailures } from "@/lib/rotation/settle-failures";
import { transition } from "@/lib/rotation/rotation-state";
import type { RotationHooks, TunnelOutcome } from "@/lib/rotation/rotation-outcome";
import type { SessionCache } from "@/lib/rotation/session-cache";
import type { KeyTimers } from "@/lib/rotation/key-timers";

export type BatchEnv = {
  sessions: SessionCache;
  hooks: RotationHooks;
  /** The routers' commit-confirm timers of this batch (a rotation job; a recovery finishing one arms none). */
  timers?: KeyTimers;
};

/**
 * Rotates `tunnelIds` (one batch: every router involved gets one session). `resume`
 * maps a tunnel to the pending version both its ends already received (crash
 * recovery): no key is created, the rotation goes on from the upload.
 */
export async function rotateBatch(
  ctx: JobContext<unknown>,
  tunnelIds: string[],
  env: BatchEnv,
  resume: ReadonlyMap<string, number> = new Map(),
) {
  const prepared = await ctx.step(`new key${tunnelIds.length > 1 ? "s" : ""} for ${tunnels(tunnelIds.length)}`, null, async () => {
    const out: (Run | TunnelOutcome)[] = [];
    for (const id of tunnelIds) out.push(await prepareRotation(ctx, id, resume.get(id)));
    return out;
  });
  const runs = prepared.filter((p): p is Run => "state" in p);
  const live = () => runs.filter((r) => !r.error && !r.outcome);
  try {
    await applyKeyVersion(ctx, env.sessions, live(), {
      keyName: "new key",
      beforeUpload: env.timers ? (g, io, rs) => env.timers!.arm(ctx, g, io, rs) : undefined,
      changed(r, role) {
        r.touched.add(role);
      },
      async uploaded(r, role) {
        r.state = transition(r.state, { type: "end-uploaded", role });
        await env.hooks.afterEndUploaded?.(r.tunnelId, role);
      },
      async beforeSwitch(rs) {
        for (const r of rs) r.meter = (await env.hooks.measureInterruption?.(r.tunnelId, r.ends)) ?? null;
        // From here a router may hold the new key in memory: a failure re-runs the switch with the old one.
        for (const r of rs) r.state = transition(r.state, { type: "apply-started" });
      },
      switched(r) {
        r.state = transition(r.state, { type: "applied" });
      },
      async proven(r) {
        r.state = transition(r.state, { type: "verified" });
        r.interruption = (await stopMeter(r)) ?? "not measured";
        // Both routers stand down their timers for this tunnel before the new key becomes active.
        await env.timers?.confirm(ctx, env.sessions, r, true);
        await commitRotation(ctx, r);
      },
    });
  } catch (e) {
    // A bug or a database failure mid-batch: every tunnel not committed yet is settled below.
    for (const r of live()) fail(r, e);
  }
  await settleFailures(
    ctx,
    env.sessions,
    runs.filter((r) => r.error && !r.outcome),
  );
  const outcomes = prepared.map((p) => ("state" in p ? p.outcome! : p));
  await env.timers?.settle(ctx, env.sessions, outcomes);
  const done = outcomes.filter((o) => o.result === "rotated").length;
  await ctx.log(done === outcomes.length ? "info" : "warn", `${done} of ${outcomes.length} tunnel(s) in this batch rotated`);
  return outcomes;
}
