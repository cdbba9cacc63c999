// A batch of tunnels rotated together across the fleet, each tunnel still driven
// through its own state machine (rotation-state.ts). Two fleet-wide barriers, then
// every router and every tunnel on its own:
//   new keys (pending) → upload to every "a" end | upload to every "b" end |
//   per router: list its SAs (not needed on a spoke of a hub on its platform), load the
//   keys once (the platform's router-wide key load); per tunnel, once both its routers
//   did: the end on the less busy router reauthenticates (or the make-before-break end,
//   answered by a peer that cannot reauthenticate itself; or an end without
//   make-before-break stops and starts) → both ends show a NEW IKE SA (each router lists
//   its SAs once per round for all its tunnels) → LAN ping from the less busy end →
//   activate, retire, audit.
// A hub with N tunnels thus uploads N files but loads its keys and lists its SAs once
// per round instead of once per tunnel, its N reauthentications run on N spokes at
// once, and no tunnel waits for the slowest spoke after the keys are loaded.
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
import { findNewIkeSa, planKeySwitch, snapshotSas, type SaSnapshot, type SwitchOp } from "@/lib/rotation/key-switch";
import { listRouterSas, switchEndOf, writeSecretFiles } from "@/lib/rotation/key-steps";
import { KeyedSlots } from "@/lib/rotation/keyed-slots";
import { initialRotationState, revertNeedsApply, transition, type EndRole, type RotationEvent, type RotationState } from "@/lib/rotation/rotation-state";
import type { SessionCache } from "@/lib/rotation/session-cache";
import { auditRotationFailure, describeInterruption, labelOf, revertTunnel, type Interruption, type RotationHooks, type TunnelOutcome } from "@/lib/rotation/rotate-tunnel";

/** Routers worked on at once within a phase. */
const PARALLEL_GATEWAYS = 32;
/** Commands at once as channels of one router's session, where its platform allows it (OpenSSH MaxSessions is 10). */
const CHANNELS_PER_SESSION = 4;
/** A batch's new SAs normally show within 1–3 s; the margin is for a loaded hub. */
export const VERIFY_TIMEOUT_MS = 30_000;
/** The SA listing before the switch: each attempt, and all attempts together. */
const SNAPSHOT_COMMAND_TIMEOUT_MS = 30_000;
const SNAPSHOT_TIMEOUT_MS = 60_000;

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
  await ctx.step(`new key${tunnelIds.length > 1 ? "s" : ""} for ${tunnels(tunnelIds.length)}`, null, async () => {
    for (const id of tunnelIds) runs.push(await prepare(ctx, id, resume.get(id)));
  });
  const live = () => runs.filter((r) => !r.error && !r.outcome);
  const fail = (r: Run, e: unknown) => void (r.error ??= message(e));

  try {
    await uploadRole(ctx, env, live(), "a", fail);
    await uploadRole(ctx, env, live(), "b", fail);
    const plans = planSwitches(live());
    for (const r of live()) r.meter = (await env.hooks.measureInterruption?.(r.tunnelId, r.ends!)) ?? null;
    const switchedAt = Date.now();
    const ready = snapshotAndLoad(ctx, env, live(), plans, fail);
    await switchAndProve(ctx, env, live(), plans, ready, switchedAt, fail);
  } catch (e) {
    // A bug or a database failure mid-batch: every tunnel not committed yet is settled below.
    for (const r of live()) fail(r, e);
  }
  for (const r of runs.filter((r) => r.error && !r.outcome)) r.outcome = await settleFailure(ctx, env, r);
  // Committed tunnels have their outcome already, so live() no longer lists them.
  const done = runs.filter((r) => r.outcome?.result === "rotated").length;
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
    await ctx.log("info", `${run.label}: key v${old.pskVersion} → v${version}${resumeVersion === undefined ? "" : " (already on both routers: finishing)"}`);
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

/**
 * One role's ends, every router at once; "a" ends all before any "b" end, so a crash
 * in between leaves a state recovery can read.
 */
async function uploadRole(ctx: Ctx, env: BatchEnv, runs: Run[], role: EndRole, fail: (r: Run, e: unknown) => void) {
  await mapBounded(byGateway(endsOf(runs, role)), PARALLEL_GATEWAYS, async (g) => {
    await ctx
      .step(`upload the new key of ${tunnels(g.items.length)} to ${g.name}`, g.gatewayId, async () => {
        const io = await env.sessions.io(g.gatewayId);
        const errors: string[] = [];
        for (const { run, end } of g.items) {
          try {
            await writeSecretFiles(io, end);
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

/** Each tunnel's key switch, with the end on the less busy router doing the per-tunnel part. */
function planSwitches(runs: Run[]): Map<Run, SwitchOp[]> {
  const load = gatewayLoad(runs.map(batchTunnel));
  return new Map(
    runs.map((r) => {
      return [r, planKeySwitch(switchEndOf(r.ends![0]), switchEndOf(r.ends![1]), lighterEnd(batchTunnel(r), load))];
    }),
  );
}

/**
 * Per router, one step: the IKE SAs its tunnels have before the switch (one listing;
 * a router that is the less busy end of all its tunnels, each with a peer on its own
 * platform, needs none: the SPIs its peer lists are the same), then its router-wide
 * switch commands once (the key loads).
 * Resolves per router, so a tunnel's switch starts as soon as both its routers are
 * ready rather than when the slowest router of the batch is.
 */
function snapshotAndLoad(ctx: Ctx, env: BatchEnv, runs: Run[], plans: Map<Run, SwitchOp[]>, fail: (r: Run, e: unknown) => void): Map<string, Promise<void>> {
  // From here a router may hold the new key in memory: a failure re-runs the switch with the old one.
  for (const r of runs) r.state = transition(r.state, { type: "apply-started" });
  const load = gatewayLoad(runs.map(batchTunnel));
  const ready = new Map<string, Promise<void>>();
  const slots = new KeyedSlots(() => PARALLEL_GATEWAYS);
  for (const g of byGateway(endsOf(runs))) {
    const commands = new Map<string, Command>();
    for (const { run, end } of g.items) {
      for (const op of plans.get(run)!.filter((o) => o.gatewayWide && o.role === end.role)) for (const c of op.commands) commands.set(JSON.stringify(c.argv), c);
    }
    // A peer on another platform names its SAs differently (Libreswan prints no IKE SPIs), so its listing cannot stand in.
    const listed = g.items.filter(({ run, end }) => end.role !== lighterEnd(batchTunnel(run), load) || run.ends!.some((e) => e.platform !== end.platform));
    if (!commands.size && !listed.length) {
      ready.set(g.gatewayId, Promise.resolve());
      continue;
    }
    const what = [listed.length ? "list the SAs" : null, commands.size ? `load the new key${g.items.length > 1 ? "s" : ""}` : null].filter(Boolean).join(" and ");
    const work = slots.run("all", () =>
      ctx
        .step(`${what} on ${g.name} (${tunnels(g.items.length)})`, g.gatewayId, async () => {
          const io = await env.sessions.io(g.gatewayId);
          if (listed.length) {
            // A busy hub may answer slowly: a listing that times out is tried again, rather than failing all its tunnels.
            const listing = await waitFor(() => listRouterSas(io, g.items[0]!.end, SNAPSHOT_COMMAND_TIMEOUT_MS), () => true, SNAPSHOT_TIMEOUT_MS, 1000);
            for (const { run, end } of listed) run.before[end.role] = snapshotSas(listing.sasOf(end.end) ?? []);
          }
          if (commands.size) await runCommands(io, g.name, [...commands.values()], (level, m) => ctx.log(level, m, g.name));
        })
        .catch((e) => g.items.forEach((i) => fail(i.run, e))),
    );
    ready.set(g.gatewayId, work);
  }
  return ready;
}

/** The SAs that ran before the switch, as seen from this end (or its peer's listing: same SPIs). */
function beforeOf(run: Run, role: EndRole): SaSnapshot {
  const own = run.before[role];
  if (own) return own;
  const peer = run.before[role === "a" ? "b" : "a"];
  return { spis: peer?.spis ?? [], uniqueIds: [] };
}

type Deferred<T> = { promise: Promise<T>; resolve(v: T): void };
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Every tunnel on its own: its switch commands (a router runs a few at once; CentOS
 * one), then both ends proven by their routers' verifiers, then the LAN ping from the
 * less busy end, then the commit. Each router's verifier starts once its tunnels'
 * switch commands are done and lists its SAs once per round until every tunnel on it
 * still in the batch shows an IKE SA that did not exist before, with an installed
 * CHILD SA.
 */
async function switchAndProve(ctx: Ctx, env: BatchEnv, runs: Run[], plans: Map<Run, SwitchOp[]>, ready: Map<string, Promise<void>>, switchedAt: number, fail: (r: Run, e: unknown) => void) {
  const load = gatewayLoad(runs.map(batchTunnel));
  const switched = new Map(runs.map((r) => [r, deferred<void>()]));
  const proven = new Map(runs.map((r) => [r, { a: deferred<boolean>(), b: deferred<boolean>() }]));
  const concurrent = (gatewayId: string) => !runs.some((r) => r.ends!.some((e) => e.gatewayId === gatewayId && !getPlatform(e.platform).capabilities.concurrentCommands));
  const commandSlots = new KeyedSlots((g) => (concurrent(g) ? CHANNELS_PER_SESSION : 1));
  const pingSlots = new KeyedSlots(() => CHANNELS_PER_SESSION);
  const endOf = (r: Run, role: EndRole) => r.ends!.find((e) => e.role === role)!;

  const verifiers = byGateway(endsOf(runs)).map(async (g) => {
    await Promise.all(g.items.map((i) => switched.get(i.run)!.promise));
    const done = new Set<EndOf>();
    const pending = () => g.items.filter((i) => !i.run.error && !done.has(i));
    // A deferred resolves once: after the proven ones, the rest get false.
    const settleRest = () => g.items.forEach((i) => proven.get(i.run)![i.end.role].resolve(false));
    if (!pending().length) return settleRest();
    await ctx
      .step(`verify new IKE SAs on ${g.name} (${tunnels(pending().length)})`, g.gatewayId, async () => {
        const io = await env.sessions.io(g.gatewayId);
        const first = g.items[0]!.end;
        const last = new Map<EndOf, string>();
        await waitFor(
          async () => {
            const open = pending();
            const listing = await listRouterSas(io, first, SNAPSHOT_COMMAND_TIMEOUT_MS);
            const since = (Date.now() - switchedAt) / 1000;
            // A router that cannot list SAs: its platform's status is the proof it has.
            const unlisted = open.filter((i) => listing.sasOf(i.end.end) === null);
            const checks = unlisted.length ? await checkEnds(io, getPlatform(first.platform), unlisted.map((i) => i.end.end)) : [];
            for (const i of open) {
              const sas = listing.sasOf(i.end.end);
              const c = sas === null ? checks[unlisted.indexOf(i)] : undefined;
              const p = c
                ? { ok: c.ok, detail: c.ok ? `${c.reason} (the router cannot list SAs)` : c.reason }
                : findNewIkeSa(sas ?? [], beforeOf(i.run, i.end.role), since);
              last.set(i, p.detail);
              if (!p.ok) continue;
              done.add(i);
              i.run.proofs.push(`${g.name}: ${p.detail}`);
              await ctx.log("info", `${i.end.end.connectionName} (${i.run.label}): ${p.detail}`, g.name);
              proven.get(i.run)![i.end.role].resolve(true);
            }
            return pending().length;
          },
          (left) => left === 0,
          VERIFY_TIMEOUT_MS,
          300,
        ).catch((e) => pending().forEach((i) => last.set(i, message(e))));
        const bad: string[] = [];
        for (const i of pending()) {
          const why = `${g.name}: no new IKE SA within ${VERIFY_TIMEOUT_MS / 1000} s (${last.get(i) ?? "not checked"})`;
          await ctx.log("error", `${i.end.end.connectionName} (${i.run.label}): ${last.get(i) ?? "not checked"}`, g.name);
          fail(i.run, why);
          bad.push(why);
        }
        if (bad.length) throw new JobFailure(bad.join("; "));
      })
      .catch(() => undefined)
      .finally(settleRest);
  });

  const chains = runs.map(async (r) => {
    try {
      await Promise.all(r.ends!.map((e) => ready.get(e.gatewayId)));
      if (r.error) throw new JobFailure(r.error);
      for (const op of plans.get(r)!.filter((o) => !o.gatewayWide && o.commands.length)) {
        const end = endOf(r, op.role);
        await commandSlots.run(end.gatewayId, () =>
          ctx.step(`${r.label}: ${op.why} on ${end.gatewayName}`, end.gatewayId, async () => {
            await runCommands(await env.sessions.io(end.gatewayId), end.gatewayName, op.commands, (level, m) => ctx.log(level, m, end.gatewayName), { peerPending: op.peerPending });
          }),
        );
      }
      r.state = transition(r.state, { type: "applied" });
    } catch (e) {
      fail(r, e);
    } finally {
      switched.get(r)!.resolve();
    }
    const p = proven.get(r)!;
    const [a, b] = await Promise.all([p.a.promise, p.b.promise]);
    if (r.error || !a || !b) return;
    if (r.ends![0].end.kind === "net-to-net") {
      const from = endOf(r, lighterEnd(batchTunnel(r), load));
      const ok = await pingSlots.run(from.gatewayId, () =>
        ctx
          .step(`${r.label}: ping through the tunnel from ${from.gatewayName}`, from.gatewayId, async () => {
            const io = await env.sessions.io(from.gatewayId);
            const ping = await waitFor(() => pingThroughTunnel(io, from.end), (x) => x.ok, 10_000, 500);
            await ctx.log(ping.ok ? "info" : "error", ping.summary, from.gatewayName);
            if (!ping.ok) throw new JobFailure(`${from.gatewayName}: no answer through the tunnel (${ping.summary})`);
          })
          .then(
            () => true,
            (e) => (fail(r, e), false),
          ),
      );
      if (!ok) return;
    }
    r.state = transition(r.state, { type: "verified" });
    r.interruption = (await stopMeter(r)) ?? "not measured";
    await commit(ctx, r);
  });
  await Promise.all([...verifiers, ...chains]);
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
