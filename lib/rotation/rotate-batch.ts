// A batch of tunnels rotated together, phase by phase across the fleet, each tunnel
// still driven through its own state machine (rotation-state.ts):
//   new keys (pending) → upload to every "a" end, then every "b" end → list SAs once
//   per router → load the keys once per router (`swanctl --load-creds`) → per tunnel,
//   the end on the less busy router reauthenticates (or a CentOS end cycles) →
//   per router, list SAs until every tunnel on it shows a NEW IKE SA → LAN ping from
//   the less busy end → activate, retire, audit.
// A hub with N tunnels thus uploads N files but loads its keys and lists its SAs once
// per pass instead of N times, and its N reauthentications run on N spokes at once.
// A tunnel that fails at any point after its first upload is put back on its old key
// on both ends (revertTunnel) while the others carry on: the two ends never stay on
// different keys.
import "server-only";
import { generatePsk } from "@/lib/secrets/psk";
import { encryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { getPlatform } from "@/lib/platforms";
import type { Command } from "@/lib/platforms/contract";
import { loadTunnelEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import { abandonPendingKeys, activateKey, createPendingKey, getMaxPskVersion, getRotationSnapshot, recordEndPskVersion } from "@/lib/db/rotation";
import { mapBounded } from "@/lib/deploy/bounded";
import { runCommands } from "@/lib/deploy/run-commands";
import { checkEnds, pingThroughTunnel, waitFor } from "@/lib/deploy/verify";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { gatewayLoad, lighterEnd, type BatchTunnel } from "@/lib/deploy/fleet-plan";
import { findNewIkeSa, planKeySwitch, snapshotSas, tunnelIkeSas, type SaSnapshot, type SwitchOp } from "@/lib/rotation/key-switch";
import { listRouterSas } from "@/lib/rotation/key-steps";
import { KeyedSlots } from "@/lib/rotation/keyed-slots";
import { initialRotationState, revertNeedsApply, transition, type EndRole, type RotationEvent, type RotationState } from "@/lib/rotation/rotation-state";
import type { SessionCache } from "@/lib/rotation/session-cache";
import { auditRotationFailure, describeInterruption, labelOf, revertTunnel, type Interruption, type RotationHooks, type TunnelOutcome } from "@/lib/rotation/rotate-tunnel";

/** Routers worked on at once within a phase. */
const PARALLEL_GATEWAYS = 32;
/** Commands at once as channels of one strongSwan router's session (OpenSSH MaxSessions is 10). */
const CHANNELS_PER_SESSION = 4;
/** A batch's new SAs normally show within 1–3 s; the margin is for a loaded hub. */
export const VERIFY_TIMEOUT_MS = 30_000;

type Ctx = JobContext<unknown>;
type Meter = { stop(): Promise<Interruption> };

type Run = {
  tunnelId: string;
  label: string;
  oldVersion: number;
  state: RotationState;
  ends: readonly [RenderableEnd, RenderableEnd] | null;
  before: Partial<Record<EndRole, SaSnapshot>>;
  proofs: string[];
  meter: Meter | null;
  interruption: Interruption | "not measured";
  /** Why this tunnel dropped out of the batch. */
  error: string | null;
  outcome: TunnelOutcome | null;
};

export type BatchEnv = { sessions: SessionCache; hooks: RotationHooks };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Rotates `tunnelIds` (one batch: every router involved gets one session). `resume`
 * maps a tunnel to the pending version both its ends already received (crash
 * recovery): no key is created, the rotation goes on from the upload.
 */
export async function rotateBatch(ctx: Ctx, tunnelIds: string[], env: BatchEnv, resume: ReadonlyMap<string, number> = new Map()): Promise<TunnelOutcome[]> {
  const runs: Run[] = [];
  await ctx.step(`new keys for ${tunnelIds.length} tunnel(s)`, null, async () => {
    for (const id of tunnelIds) runs.push(await prepare(ctx, id, resume.get(id)));
  });
  const live = () => runs.filter((r) => !r.error && !r.outcome);
  const fail = (r: Run, e: unknown) => void (r.error ??= message(e));

  try {
    await uploadAll(ctx, env, live(), fail);
    await snapshotAll(ctx, env, live(), fail);
    for (const r of live()) r.meter = (await env.hooks.measureInterruption?.(r.tunnelId, r.ends!)) ?? null;
    const switchedAt = Date.now();
    await switchAll(ctx, env, live(), fail);
    await verifyAll(ctx, env, live(), switchedAt, fail);
    for (const r of live()) {
      r.state = transition(r.state, { type: "verified" });
      r.interruption = (await stopMeter(r)) ?? "not measured";
      await commit(ctx, r);
    }
  } catch (e) {
    // A bug or a database failure mid-batch: every tunnel not committed yet is settled below.
    for (const r of live()) fail(r, e);
  }
  for (const r of runs.filter((r) => r.error && !r.outcome)) r.outcome = await settleFailure(ctx, env, r);
  const done = live().length;
  await ctx.log(done === runs.length ? "info" : "warn", `${done} of ${runs.length} tunnel(s) in this batch rotated`);
  return runs.map((r) => r.outcome!);
}

/** Checks one tunnel, creates its pending key (unless resuming) and loads both ends on it. */
async function prepare(ctx: Ctx, tunnelId: string, resumeVersion: number | undefined): Promise<Run> {
  const snapshot = await getRotationSnapshot(tunnelId);
  const old = snapshot ? await loadTunnelEnds(tunnelId, "active") : null;
  const base = { tunnelId, label: old ? labelOf(old.ends) : tunnelId, oldVersion: old?.pskVersion ?? 0, ends: null, before: {}, proofs: [], meter: null, interruption: "not measured" as const, error: null };
  const skipped = (why: string): Run => ({
    ...base,
    state: initialRotationState(base.oldVersion),
    outcome: { tunnelId, label: base.label, result: "skipped", fromVersion: old?.pskVersion ?? null, toVersion: null, error: why, interruption: "not measured", proofs: [] },
  });
  if (!snapshot || !old) return skipped("the tunnel no longer exists");
  if (snapshot.deployState !== "deployed") return skipped(`not deployed (${snapshot.deployState}): deploy it first, then rotate`);
  if (resumeVersion === undefined && snapshot.keys.some((k) => k.status === "pending")) return skipped("a previous rotation did not finish; its recovery job settles it first");
  ctx.addSecret(old.ends[0].end.psk);
  const run: Run = { ...base, state: initialRotationState(old.pskVersion), outcome: null };
  try {
    let version = resumeVersion;
    if (version === undefined) {
      const psk = generatePsk();
      ctx.addSecret(psk);
      version = (await getMaxPskVersion(tunnelId)) + 1;
      await createPendingKey(tunnelId, version, encryptSecret(psk, getKeyring(), secretPurpose.psk(tunnelId, version)));
    }
    run.state = transition(run.state, { type: "key-created", version });
    const next = await loadTunnelEnds(tunnelId, version);
    if (!next) throw new JobFailure("The tunnel no longer exists.");
    ctx.addSecret(next.ends[0].end.psk);
    run.ends = next.ends;
    run.state = transition(run.state, { type: "upload-started" });
  } catch (e) {
    run.error = message(e);
  }
  return run;
}

type EndOf = { run: Run; end: RenderableEnd };

function byGateway(items: EndOf[]): { gatewayId: string; name: string; items: EndOf[] }[] {
  const groups = new Map<string, EndOf[]>();
  for (const i of items) groups.set(i.end.gatewayId, [...(groups.get(i.end.gatewayId) ?? []), i]);
  return [...groups.entries()].map(([gatewayId, items]) => ({ gatewayId, name: items[0]!.end.gatewayName, items }));
}

const endsOf = (runs: Run[], role?: EndRole): EndOf[] => runs.flatMap((run) => run.ends!.filter((e) => !role || e.role === role).map((end) => ({ run, end })));
const tunnels = (n: number) => (n === 1 ? "1 tunnel" : `${n} tunnels`);

/** Every "a" end first, then every "b" end (a crash in between leaves a state recovery can read). */
async function uploadAll(ctx: Ctx, env: BatchEnv, runs: Run[], fail: (r: Run, e: unknown) => void) {
  for (const role of ["a", "b"] as const) {
    const groups = byGateway(endsOf(runs.filter((r) => !r.error), role));
    await mapBounded(groups, PARALLEL_GATEWAYS, async (g) => {
      await ctx
        .step(`upload the new key of ${tunnels(g.items.length)} to ${g.name}`, g.gatewayId, async () => {
          const io = await env.sessions.io(g.gatewayId);
          const errors: string[] = [];
          for (const { run, end } of g.items) {
            try {
              for (const f of getPlatform(end.platform).render(end.end).filter((x) => x.secret)) await io.uploadFile({ path: f.path, content: f.content, mode: 0o600 });
              await recordEndPskVersion(run.tunnelId, role, run.state.newVersion!);
              run.state = transition(run.state, { type: "end-uploaded", role });
              await env.hooks.afterEndUploaded?.(run.tunnelId, role);
            } catch (e) {
              fail(run, e);
              errors.push(`${run.label}: ${message(e)}`);
            }
          }
          if (errors.length) throw new JobFailure(errors.join("; "));
          await ctx.log("info", `${tunnels(g.items.length)}: secret files (0600) hold the new key`, g.name);
        })
        .catch((e) => g.items.forEach((i) => fail(i.run, e)));
    });
  }
}

/** The IKE SAs each tunnel has before the switch, one listing per router. */
async function snapshotAll(ctx: Ctx, env: BatchEnv, runs: Run[], fail: (r: Run, e: unknown) => void) {
  await mapBounded(byGateway(endsOf(runs)), PARALLEL_GATEWAYS, (g) =>
    ctx
      .step(`list the SAs on ${g.name}`, g.gatewayId, async () => {
        const all = await listRouterSas(await env.sessions.io(g.gatewayId), g.items[0]!.end);
        for (const { run, end } of g.items) run.before[end.role] = snapshotSas(all === null ? [] : tunnelIkeSas(all, end.end.remote.publicIp));
      })
      .catch((e) => g.items.forEach((i) => fail(i.run, e))),
  );
}

/**
 * The key switch: each router's router-wide commands once (the key loads), then each
 * tunnel's own commands in its planKeySwitch order, on the less busy end where the
 * platform lets us choose.
 */
async function switchAll(ctx: Ctx, env: BatchEnv, runs: Run[], fail: (r: Run, e: unknown) => void) {
  const load = gatewayLoad(runs.map(batchTunnel));
  const plans = new Map<Run, SwitchOp[]>();
  for (const r of runs) {
    const [a, b] = r.ends!.map((e) => ({ role: e.role, platform: e.platform, rotate: getPlatform(e.platform).rotateCommands(e.end) }));
    plans.set(r, planKeySwitch(a!, b!, lighterEnd(batchTunnel(r), load)));
    r.state = transition(r.state, { type: "apply-started" });
  }
  const endOf = (r: Run, role: EndRole) => r.ends!.find((e) => e.role === role)!;

  // Router-wide commands (identical argv), once per router for all its tunnels.
  const wide = new Map<string, { end: RenderableEnd; commands: Map<string, Command>; runs: Set<Run> }>();
  for (const [r, ops] of plans) {
    for (const op of ops.filter((o) => o.gatewayWide)) {
      const end = endOf(r, op.role);
      const w = wide.get(end.gatewayId) ?? { end, commands: new Map(), runs: new Set() };
      for (const c of op.commands) w.commands.set(JSON.stringify(c.argv), c);
      w.runs.add(r);
      wide.set(end.gatewayId, w);
    }
  }
  await mapBounded([...wide.values()], PARALLEL_GATEWAYS, (w) =>
    ctx
      .step(`load the new key${w.runs.size > 1 ? "s" : ""} on ${w.end.gatewayName} (${tunnels(w.runs.size)})`, w.end.gatewayId, async () => {
        await runCommands(await env.sessions.io(w.end.gatewayId), w.end.gatewayName, [...w.commands.values()], (level, m) => ctx.log(level, m, w.end.gatewayName));
      })
      .catch((e) => w.runs.forEach((r) => fail(r, e))),
  );

  // Each tunnel's own commands, in order; a router runs a few at once (CentOS: one).
  const slots = new KeyedSlots((gatewayId) => (runs.some((r) => r.ends!.some((e) => e.gatewayId === gatewayId && e.platform !== "strongswan")) ? 1 : CHANNELS_PER_SESSION));
  await mapBounded(
    runs.filter((r) => !r.error),
    PARALLEL_GATEWAYS * CHANNELS_PER_SESSION,
    async (r) => {
      try {
        for (const op of plans.get(r)!.filter((o) => !o.gatewayWide && o.commands.length)) {
          const end = endOf(r, op.role);
          await slots.run(end.gatewayId, () =>
            ctx.step(`${r.label}: ${op.why} on ${end.gatewayName}`, end.gatewayId, async () => {
              await runCommands(await env.sessions.io(end.gatewayId), end.gatewayName, op.commands, (level, m) => ctx.log(level, m, end.gatewayName), (command, outcome) =>
                op.tolerateIfupFailure && command.argv[0] === "/sbin/ifup" && outcome.exitCode === 2 ? "not up yet: its peer switches next" : null,
              );
            }),
          );
        }
        r.state = transition(r.state, { type: "applied" });
      } catch (e) {
        fail(r, e);
      }
    },
  );
}

/**
 * Per router: list SAs (one command) until every tunnel on it shows an IKE SA that did
 * not exist before the switch, with an installed CHILD SA; then LAN pings through each
 * net-to-net tunnel from its less busy end.
 */
async function verifyAll(ctx: Ctx, env: BatchEnv, runs: Run[], switchedAt: number, fail: (r: Run, e: unknown) => void) {
  const applied = runs.filter((r) => !r.error);
  await mapBounded(byGateway(endsOf(applied)), PARALLEL_GATEWAYS, (g) =>
    ctx
      .step(`verify new IKE SAs on ${g.name} (${tunnels(g.items.length)})`, g.gatewayId, async () => {
        const io = await env.sessions.io(g.gatewayId);
        const first = g.items[0]!.end;
        const proofs = await waitFor(
          async (): Promise<{ ok: boolean; detail: string }[]> => {
            const all = await listRouterSas(io, first);
            if (all === null) {
              // No SA listing (real racoon): the last ifup's exit 0 was the proof; the routes must be there.
              const checks = await checkEnds(io, getPlatform(first.platform), g.items.map((i) => i.end.end));
              return checks.map((c) => ({ ok: c.ok, detail: c.ok ? `${c.reason} (the router cannot list SAs)` : c.reason }));
            }
            const since = (Date.now() - switchedAt) / 1000;
            return g.items.map(({ run, end }) => findNewIkeSa(tunnelIkeSas(all, end.end.remote.publicIp), run.before[end.role] ?? { spis: [], uniqueIds: [] }, since));
          },
          (ps) => ps.every((p) => p.ok),
          VERIFY_TIMEOUT_MS,
          300,
        );
        const bad: string[] = [];
        for (const [i, { run, end }] of g.items.entries()) {
          const p = proofs[i]!;
          await ctx.log(p.ok ? "info" : "error", `${end.end.connectionName} (${run.label}): ${p.detail}`, g.name);
          if (p.ok) run.proofs.push(`${g.name}: ${p.detail}`);
          else {
            const why = `${g.name}: no new IKE SA within ${VERIFY_TIMEOUT_MS / 1000} s (${p.detail})`;
            fail(run, why);
            bad.push(why);
          }
        }
        if (bad.length) throw new JobFailure(bad.join("; "));
      })
      .catch((e) => g.items.forEach((i) => fail(i.run, e))),
  );

  const load = gatewayLoad(applied.map(batchTunnel));
  const pings = applied
    .filter((r) => !r.error && r.ends![0].end.kind === "net-to-net")
    .map((run) => ({ run, end: run.ends!.find((e) => e.role === lighterEnd(batchTunnel(run), load))! }));
  await mapBounded(byGateway(pings), PARALLEL_GATEWAYS, (g) =>
    mapBounded(g.items, CHANNELS_PER_SESSION, ({ run, end }) =>
      ctx
        .step(`${run.label}: ping through the tunnel from ${end.gatewayName}`, end.gatewayId, async () => {
          const io = await env.sessions.io(end.gatewayId);
          const ping = await waitFor(() => pingThroughTunnel(io, end.end), (p) => p.ok, 10_000, 500);
          await ctx.log(ping.ok ? "info" : "error", ping.summary, end.gatewayName);
          if (!ping.ok) throw new JobFailure(`${end.gatewayName}: no answer through the tunnel (${ping.summary})`);
        })
        .catch((e) => fail(run, e)),
    ),
  );
}

const batchTunnel = (r: Run): BatchTunnel => ({ tunnelId: r.tunnelId, a: r.ends!.find((e) => e.role === "a")!.gatewayId, b: r.ends!.find((e) => e.role === "b")!.gatewayId });

async function stopMeter(r: Run): Promise<Interruption | undefined> {
  const m = r.meter;
  r.meter = null;
  return m ? await m.stop() : undefined;
}

async function commit(ctx: Ctx, r: Run) {
  const version = r.state.newVersion!;
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
  r.outcome = { tunnelId: r.tunnelId, label: r.label, result: "rotated", fromVersion: r.oldVersion, toVersion: version, error: null, interruption: r.interruption, proofs: r.proofs };
}

/** Nothing written yet: drop the key. Otherwise: both ends back on the old key, proven. */
async function settleFailure(ctx: Ctx, env: BatchEnv, r: Run): Promise<TunnelOutcome> {
  const reason = r.error!;
  const step = async (e: RotationEvent) => {
    r.state = transition(r.state, e);
    await ctx.log(e.type === "failed" || e.type === "revert-failed" ? "error" : "info", `${r.label}: ${r.state.phase}${e.type === "failed" ? ` (${reason})` : ""}`);
  };
  const outcome = (result: TunnelOutcome["result"]): TunnelOutcome => ({
    tunnelId: r.tunnelId,
    label: r.label,
    result,
    fromVersion: r.oldVersion,
    toVersion: r.state.newVersion,
    error: r.state.error ?? reason,
    interruption: r.interruption,
    proofs: r.proofs,
  });
  if (r.state.phase === "start" || r.state.phase === "key-created") {
    await step({ type: "failed", reason });
    if (r.state.newVersion !== null) await runInTransaction((tx) => abandonPendingKeys(tx, r.tunnelId, [r.state.newVersion!]));
    await auditRotationFailure(ctx, r.tunnelId, r.label, r.state, "abandoned", r.interruption);
    return outcome("abandoned");
  }
  await step({ type: "failed", reason });
  const reverted = await revertTunnel(ctx, { io: (g) => env.sessions.io(g), hooks: env.hooks }, r.tunnelId, {
    oldVersion: r.oldVersion,
    abandon: [r.state.newVersion!],
    apply: revertNeedsApply(r.state),
    why: reason,
  });
  r.interruption = (await stopMeter(r).catch(() => undefined)) ?? r.interruption;
  await step(reverted.ok ? { type: "reverted" } : { type: "revert-failed", reason: reverted.error });
  const result = r.state.phase === "reverted" ? "reverted" : "stuck";
  await auditRotationFailure(ctx, r.tunnelId, r.label, r.state, result, r.interruption);
  return outcome(result);
}
