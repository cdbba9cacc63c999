// Verifying a deploy (bring-up-tunnels, and the proof after a rollback): each router's
// status commands once per round, judged for each of its ends, until both ends of every
// tunnel are up; then net-to-net tunnels are pinged LAN to LAN from their less busy end.
// A tunnel is green only when both ends verify and the ping answers.
import "server-only";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import { connectionLost, failureOf, message, type TunnelRun } from "@/lib/deploy/deploy-batch";
import { CHANNELS_PER_SESSION, initiateAgainCommands } from "@/lib/deploy/fleet-plan";
import { parallelGateways } from "@/lib/config/env";
import { runCommands } from "@/lib/deploy/run-commands";
import { pingThroughTunnel, pollWait, waitFor } from "@/lib/deploy/verify";
import { mapBounded } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { isSshError } from "@/lib/ssh/errors";

type Ctx = JobContext<unknown>;
type Fail = (r: TunnelRun, why: string) => void;

// A tunnel normally verifies in 1–3 s; the margin is for loaded routers (and loaded CI).
const VERIFY_TIMEOUT_MS = 30_000;
/** How long an end may stay down during verification before it is initiated once more. */
const NUDGE_AFTER_MS = 8_000;
const POLL_INTERVAL_MS = 500;

export async function verifyTunnels(ctx: Ctx, runs: TunnelRun[], works: Map<string, GatewayWork>, fail: Fail): Promise<void> {
  const ids = new Set(runs.map((r) => r.id));
  const lastRole = new Map(runs.map((r) => [r.id, r.lastRole]));
  const upEnds = new Map<string, number>();
  /** Routers whose session dropped while verifying: their tunnels failed for that, not for a timeout. */
  const lost = new Map<string, string>();
  const now = Promise.resolve();
  await mapBounded(
    [...works.values()].filter((w) => w.io),
    parallelGateways(),
    async (w) => {
      const ends = w.ends.filter((e) => ids.has(e.end.tunnelId));
      if (!ends.length) return;
      await verifyRouterStep(
        ctx,
        w,
        ends.map((end) => ({ end, ready: now })),
        { lastRole, up: (id) => upEnds.set(id, (upEnds.get(id) ?? 0) + 1), slot: (fn) => fn(), lost },
      );
    },
  );
  for (const r of runs) {
    if ((upEnds.get(r.id) ?? 0) >= 2) continue;
    fail(r, notUpReason(r, lost));
  }
  await pingTunnels(
    ctx,
    runs.filter((r) => !r.error && r.ends[0].end.kind === "net-to-net"),
    works,
    fail,
  );
}

/** Why a tunnel is not up on both ends: the session to one of its routers dropped, or time ran out. */
export function notUpReason(r: TunnelRun, lost: Map<string, string>): string {
  const dropped = r.ends.map((e) => lost.get(e.gatewayId)).find((m) => m !== undefined);
  return dropped ?? `the tunnel did not come up within ${VERIFY_TIMEOUT_MS / 1000} s on both ends`;
}

/** An end to verify, from the moment `ready` resolves (both ends of its tunnel applied). */
export type VerifyItem = { end: RenderableEnd; ready: Promise<void> };

export type VerifyHooks = {
  lastRole: Map<string, "a" | "b">;
  /** Hears of each end as soon as a status round shows it up. */
  up: (tunnelId: string) => void;
  /** Runs a "verify" step in a slot of the fleet's parallelism. */
  slot: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Where the router is entered, with the reason, when its session dropped. */
  lost: Map<string, string>;
  /** A tunnel that dropped out meanwhile (e.g. its peer failed to apply): no longer waited for. */
  dropped?: (tunnelId: string) => boolean;
};

/**
 * One router's ends, each checked from the moment it is ready (both ends of its tunnel
 * applied) until it is up or VERIFY_TIMEOUT_MS after it became ready. While any of its
 * ready ends is unresolved the router is in a "verify <router>" step, which holds a slot
 * of the fleet's parallelism and runs one status round per interval for all its ready
 * ends (ends that become ready meanwhile join the next round); with none ready it waits,
 * holding nothing. An end still down NUDGE_AFTER_MS after it became ready, on the
 * tunnel's initiating side, may have lost an IKE race (both ends initiating at once, an
 * SA deleted as a duplicate): it is initiated once more. A status round that fails (a
 * command timing out on a busy router) is tried again; a dropped session ends the
 * verification at once, and the router is entered in `hooks.lost`. Each end the caller
 * did not hear of as up failed.
 */
export async function verifyRouterStep(ctx: Ctx, w: GatewayWork, items: VerifyItem[], hooks: VerifyHooks): Promise<void> {
  const readyAt = new Map<string, number>();
  const becomesReady = new Map(
    items.map((i) => [i.end.end.tunnelId, i.ready.then(() => void readyAt.set(i.end.end.tunnelId, Date.now()))] as const),
  );
  const pending = new Map(items.map((i) => [i.end.end.tunnelId, i.end]));
  const nudged = new Set<string>();
  const ready = () => {
    for (const id of [...pending.keys()]) if (readyAt.has(id) && hooks.dropped?.(id)) pending.delete(id);
    return [...pending.values()].filter((e) => readyAt.has(e.end.tunnelId));
  };
  const overdue = (id: string) => Date.now() - readyAt.get(id)! >= VERIFY_TIMEOUT_MS;

  const rounds = async () => {
    const bad: string[] = [];
    let routes = "";
    let round = 0;
    for (let active = ready(); active.length; active = ready(), round++) {
      try {
        const m = await w.check(active);
        routes = [...m.values()][0]?.routesText ?? routes;
        for (const e of active) {
          const id = e.end.tunnelId;
          const c = m.get(id)!;
          if (!c.ok && !overdue(id)) continue;
          pending.delete(id);
          if (c.ok) hooks.up(id);
          else bad.push(`${e.end.interfaceName}/${e.end.remote.publicIp}: ${c.reason}`);
          await ctx.log(c.ok ? "info" : "error", `${e.end.interfaceName} → ${e.end.remote.publicIp}: ${c.reason}`, w.name);
        }
        await nudge(ctx, w, ready(), readyAt, nudged, hooks.lastRole);
      } catch (e) {
        if (isSshError(e, "connection-lost")) throw e;
        for (const end of active.filter((x) => overdue(x.end.tunnelId))) {
          pending.delete(end.end.tunnelId);
          bad.push(`${end.end.interfaceName}/${end.end.remote.publicIp}: ${message(e)}`);
        }
      }
      if (ready().length) await new Promise((r) => setTimeout(r, pollWait(round, POLL_INTERVAL_MS)));
    }
    await ctx.log("info", `ip route list:\n${routes || "(none)"}`, w.name);
    if (bad.length) throw new JobFailure(`${w.name}: did not come up within ${VERIFY_TIMEOUT_MS / 1000} s: ${bad.join("; ")}`);
  };

  while (pending.size) {
    if (!ready().length) {
      if (pending.size) await Promise.race([...pending.keys()].map((id) => becomesReady.get(id)!));
      continue;
    }
    try {
      await hooks.slot(() => ctx.step(`verify ${w.name}`, w.gatewayId, rounds));
    } catch (e) {
      // What did not come up is counted per tunnel by the caller. A step that failed for its
      // ends that timed out goes on with the rest; anything else ends this router's verification.
      if (connectionLost(e, w.io)) hooks.lost.set(w.gatewayId, failureOf(e, w, "verifying"));
      if (connectionLost(e, w.io) || !(e instanceof JobFailure)) return;
    }
  }
}

/** The tunnel's initiating end, still down a while after it became ready, initiated once more. */
async function nudge(
  ctx: Ctx,
  w: GatewayWork,
  down: RenderableEnd[],
  readyAt: Map<string, number>,
  nudged: Set<string>,
  lastRole: Map<string, "a" | "b">,
) {
  for (const e of down) {
    const id = e.end.tunnelId;
    if (e.role !== lastRole.get(id) || nudged.has(id) || Date.now() - readyAt.get(id)! < NUDGE_AFTER_MS) continue;
    nudged.add(id);
    const again = initiateAgainCommands(w.platform, e.end);
    if (!again.length) continue;
    await ctx.log(
      "warn",
      `${e.end.interfaceName} → ${e.end.remote.publicIp} is not up after ${NUDGE_AFTER_MS / 1000} s: initiating it again`,
      w.name,
    );
    await runCommands(w.io!, w.name, again, (level, msg) => ctx.log(level, msg, w.name));
  }
}

/** Each ping goes out from its tunnel's less busy end, a few at once over that router's one session. */
async function pingTunnels(ctx: Ctx, runs: TunnelRun[], works: Map<string, GatewayWork>, fail: Fail): Promise<void> {
  const bySession = new Map<string, TunnelRun[]>();
  for (const r of runs) {
    const from = r.ends.find((e) => e.role === r.lastRole)!.gatewayId;
    bySession.set(from, [...(bySession.get(from) ?? []), r]);
  }
  await mapBounded([...bySession.values()], parallelGateways(), (sessionRuns) =>
    mapBounded(sessionRuns, CHANNELS_PER_SESSION, (r) => pingTunnel(ctx, r, works, fail)),
  );
}

/** The LAN-to-LAN ping through one net-to-net tunnel from its less busy end, tried for up to 10 s; no answer fails the tunnel. */
export async function pingTunnel(ctx: Ctx, r: TunnelRun, works: Map<string, GatewayWork>, fail: Fail): Promise<void> {
  const from = r.ends.find((e) => e.role === r.lastRole)!;
  const w = works.get(from.gatewayId)!;
  await ctx
    .step(`ping through ${r.label}`, from.gatewayId, async () => {
      const ping = await waitFor(
        () => pingThroughTunnel(w.io!, from.end),
        (p) => p.ok,
        10_000,
        1000,
      );
      await ctx.log(ping.ok ? "info" : "error", ping.summary, w.name);
      if (!ping.ok) throw new JobFailure(`${w.name}: no answer through the tunnel (${ping.summary})`);
    })
    .catch((e) => fail(r, failureOf(e, w, "pinging through the tunnel")));
}
