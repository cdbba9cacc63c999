// Phase three of applyKeyVersion, every tunnel on its own once both its routers are
// ready: its per-tunnel switch commands (a router runs a few at once as channels of its
// session where its platform allows it; CentOS cycles one interface at a time), then
// both ends proven by their routers' verifiers, then the LAN ping from the less busy
// end, then the caller's `proven` (a rotation commits there). No tunnel waits for the
// slowest one of the batch.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { CHANNELS_PER_SESSION } from "@/lib/deploy/fleet-plan";
import { runCommands } from "@/lib/deploy/run-commands";
import { pingThroughTunnel, waitFor } from "@/lib/deploy/verify";
import { deferred, KeyedSlots } from "@/lib/jobs/concurrency";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { byGateway, fail, touchedEnds, type KeyEvents, type KeyTarget, type TunnelSwitch } from "@/lib/rotation/key-target";
import { proveRouterEnds } from "@/lib/rotation/prove-router-ends";
import { planKeySwitch, wasDown } from "@/lib/rotation/key-switch";
import { switchEndOf } from "@/lib/rotation/key-steps";
import type { SessionCache } from "@/lib/rotation/session-cache";

type Ctx = JobContext<unknown>;

export async function switchAndProve<T extends KeyTarget>(
  ctx: Ctx,
  sessions: SessionCache,
  switches: TunnelSwitch<T>[],
  ready: Map<string, Promise<void>>,
  switchedAt: number,
  events: KeyEvents<T>,
): Promise<void> {
  const switched = new Map(switches.map((s) => [s, deferred<void>()]));
  const proven = new Map(switches.map((s) => [s, { a: deferred<boolean>(), b: deferred<boolean>() }]));
  // A router with any end whose platform cannot take commands side by side runs them one at a time.
  const serialEnds = switches.flatMap((s) => s.target.ends.filter((e) => !getPlatform(e.platform).capabilities.concurrentCommands));
  const serial = new Set(serialEnds.map((e) => e.gatewayId));
  const commandSlots = new KeyedSlots((g) => (serial.has(g) ? 1 : CHANNELS_PER_SESSION));
  const pingSlots = new KeyedSlots(() => CHANNELS_PER_SESSION);

  // An end the engine leaves alone (not in `only`) has nothing to prove.
  for (const s of switches) for (const e of s.target.ends) if (!touchedEnds(s.target).includes(e)) proven.get(s)![e.role].resolve(true);
  const verifiers = byGateway(switches.flatMap((s) => touchedEnds(s.target).map((end) => ({ of: s, end })))).map(async (g) => {
    await Promise.all(g.items.map((i) => switched.get(i.of)!.promise));
    await proveRouterEnds(ctx, sessions, g, switchedAt, (i, ok) => proven.get(i.of)![i.end.role].resolve(ok));
  });

  const chains = switches.map(async (s) => {
    const t = s.target;
    try {
      await Promise.all(t.ends.map((e) => ready.get(e.gatewayId)));
      if (t.error) throw new JobFailure(t.error);
      // Down before the switch (no IKE SA on a listed end): start it rather than reauthenticate.
      const plan = t.switchKeys && wasDown(s.before) ? replanDown(s) : s.plan;
      if (plan !== s.plan)
        await ctx.log(
          "warn",
          `${t.label}: no established IKE SA before the switch: the tunnel is down, so it is started with the ${events.keyName}`,
        );
      for (const op of plan.filter((o) => !o.gatewayWide && o.commands.length)) {
        const end = t.ends.find((e) => e.role === op.role)!;
        const log = (level: "info" | "warn" | "error", m: string) => ctx.log(level, m, end.gatewayName);
        await commandSlots.run(end.gatewayId, () =>
          ctx.step(`${t.label}: ${op.why} on ${end.gatewayName}`, end.gatewayId, async () => {
            await runCommands(await sessions.io(end.gatewayId), end.gatewayName, op.commands, log);
          }),
        );
      }
      events.switched?.(t);
    } catch (e) {
      fail(t, e);
    } finally {
      switched.get(s)!.resolve();
    }
    const p = proven.get(s)!;
    const [a, b] = await Promise.all([p.a.promise, p.b.promise]);
    if (t.error || !a || !b) return;
    if (!(await ping(ctx, sessions, pingSlots, s))) return;
    try {
      await events.proven?.(t);
    } catch (e) {
      fail(t, e);
    }
  });
  await Promise.all([...verifiers, ...chains]);
}

/** LAN to LAN through the tunnel from its less busy end (net-to-net; host-to-host has no LAN to ping from). */
async function ping<T extends KeyTarget>(ctx: Ctx, sessions: SessionCache, slots: KeyedSlots, s: TunnelSwitch<T>): Promise<boolean> {
  const t = s.target;
  if (t.ends[0].end.kind !== "net-to-net") return true;
  const touched = touchedEnds(t);
  const from = touched.find((e) => e.role === s.lighter) ?? touched[0]!;
  return slots.run(from.gatewayId, () =>
    ctx
      .step(`${t.label}: ping through the tunnel from ${from.gatewayName}`, from.gatewayId, async () => {
        const io = await sessions.io(from.gatewayId);
        const result = await waitFor(
          () => pingThroughTunnel(io, from.end),
          (x) => x.ok,
          10_000,
          500,
        );
        await ctx.log(result.ok ? "info" : "error", result.summary, from.gatewayName);
        if (!result.ok) throw new JobFailure(`${from.gatewayName}: no answer through the tunnel (${result.summary})`);
      })
      .then(
        () => true,
        (e) => (fail(t, e), false),
      ),
  );
}

/** The per-tunnel part of the key switch for a tunnel that is down (its router-wide loads already ran). */
function replanDown<T extends KeyTarget>(s: TunnelSwitch<T>) {
  const [a, b] = s.target.ends;
  return planKeySwitch(switchEndOf(a), switchEndOf(b), s.lighter, { down: true });
}
