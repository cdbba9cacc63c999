// The fourth phase of a deploy (and the proof after a rollback): each router's status
// commands once per round, judged for each of its ends, until both ends of every tunnel
// are up; then net-to-net tunnels are pinged LAN to LAN from their less busy end. A
// tunnel is green only when both ends verify and the ping answers.
import "server-only";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import { connectionLost, failureOf, type TunnelRun } from "@/lib/deploy/deploy-batch";
import { CHANNELS_PER_SESSION, initiateAgainCommands } from "@/lib/deploy/fleet-plan";
import { parallelGateways } from "@/lib/config/env";
import { runCommands } from "@/lib/deploy/run-commands";
import { pingThroughTunnel, waitFor } from "@/lib/deploy/verify";
import { mapBounded } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

type Ctx = JobContext<unknown>;
type Fail = (r: TunnelRun, why: string) => void;

// A tunnel normally verifies in 1–3 s; the margin is for loaded routers (and loaded CI).
const VERIFY_TIMEOUT_MS = 30_000;
/** How long an end may stay down during verification before it is initiated once more. */
const NUDGE_AFTER_MS = 8_000;

export async function verifyTunnels(ctx: Ctx, runs: TunnelRun[], works: Map<string, GatewayWork>, fail: Fail): Promise<void> {
  const ids = new Set(runs.map((r) => r.id));
  const lastRole = new Map(runs.map((r) => [r.id, r.lastRole]));
  const upEnds = new Map<string, number>();
  /** Routers whose session dropped while verifying: their tunnels failed for that, not for a timeout. */
  const lost = new Map<string, string>();
  await mapBounded(
    [...works.values()].filter((w) => w.io),
    parallelGateways(),
    async (w) => {
      const ends = w.ends.filter((e) => ids.has(e.end.tunnelId));
      if (!ends.length) return;
      await ctx
        .step(`verify ${w.name}`, w.gatewayId, async () => {
          await verifyRouter(ctx, w, ends, lastRole, (id) => upEnds.set(id, (upEnds.get(id) ?? 0) + 1));
        })
        // What did not come up is counted below, per tunnel.
        .catch((e) => {
          if (connectionLost(e, w.io)) lost.set(w.gatewayId, failureOf(e, w, "verifying"));
        });
    },
  );
  for (const r of runs) {
    if ((upEnds.get(r.id) ?? 0) >= 2) continue;
    const dropped = r.ends.map((e) => lost.get(e.gatewayId)).find((m) => m !== undefined);
    fail(r, dropped ?? `the tunnel did not come up within ${VERIFY_TIMEOUT_MS / 1000} s on both ends`);
  }
  await pingTunnels(
    ctx,
    runs.filter((r) => !r.error && r.ends[0].end.kind === "net-to-net"),
    works,
    fail,
  );
}

/** One router's ends, checked until all are up or time runs out; `up` hears of each end that is, even when others are not. */
async function verifyRouter(
  ctx: Ctx,
  w: GatewayWork,
  ends: RenderableEnd[],
  lastRole: Map<string, "a" | "b">,
  up: (tunnelId: string) => void,
): Promise<void> {
  const started = Date.now();
  const nudged = new Set<string>();
  const checks = await waitFor(
    async () => {
      const m = await w.check(ends);
      // A tunnel still down a while after both ends were applied may have lost an IKE race (both
      // ends initiating at once, an SA deleted as a duplicate): its initiating end tries once more.
      if (Date.now() - started < NUDGE_AFTER_MS) return m;
      const down = ends.filter((e) => e.role === lastRole.get(e.end.tunnelId) && !m.get(e.end.tunnelId)?.ok && !nudged.has(e.end.tunnelId));
      for (const e of down) {
        nudged.add(e.end.tunnelId);
        const again = initiateAgainCommands(w.platform, e.end);
        if (!again.length) continue;
        await ctx.log(
          "warn",
          `${e.end.interfaceName} → ${e.end.remote.publicIp} is not up after ${NUDGE_AFTER_MS / 1000} s: initiating it again`,
          w.name,
        );
        await runCommands(w.io!, w.name, again, (level, msg) => ctx.log(level, msg, w.name));
      }
      return m;
    },
    (m) => [...m.values()].every((c) => c.ok),
    VERIFY_TIMEOUT_MS,
  );
  const routes = [...checks.values()][0]?.routesText ?? "";
  await ctx.log("info", `ip route list:\n${routes || "(none)"}`, w.name);
  const bad: string[] = [];
  for (const e of ends) {
    const c = checks.get(e.end.tunnelId)!;
    if (c.ok) up(e.end.tunnelId);
    else bad.push(`${e.end.interfaceName}/${e.end.remote.publicIp}: ${c.reason}`);
    await ctx.log(c.ok ? "info" : "error", `${e.end.interfaceName} → ${e.end.remote.publicIp}: ${c.reason}`, w.name);
  }
  if (bad.length) throw new JobFailure(`${w.name}: did not come up within ${VERIFY_TIMEOUT_MS / 1000} s: ${bad.join("; ")}`);
}

/** Each ping goes out from its tunnel's less busy end, a few at once over that router's one session. */
async function pingTunnels(ctx: Ctx, runs: TunnelRun[], works: Map<string, GatewayWork>, fail: Fail): Promise<void> {
  const bySession = new Map<string, TunnelRun[]>();
  for (const r of runs) {
    const from = r.ends.find((e) => e.role === r.lastRole)!.gatewayId;
    bySession.set(from, [...(bySession.get(from) ?? []), r]);
  }
  await mapBounded([...bySession.values()], parallelGateways(), (sessionRuns) =>
    mapBounded(sessionRuns, CHANNELS_PER_SESSION, async (r) => {
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
    }),
  );
}
