// Phase two of applyKeyVersion, per router in one step: the IKE SAs its tunnels have
// before the switch (one listing; a router that is the less busy end of all its tunnels
// needs none: the SPIs its peer lists are the same), then its router-wide switch
// commands once (the platform's key load: a hub loads N keys with one command).
// Resolves per router, so a tunnel's switch starts as soon as both its routers are
// ready rather than when the slowest router of the batch is.
import "server-only";
import type { Command } from "@/lib/platforms/contract";
import { parallelGateways } from "@/lib/config/env";
import { runCommands } from "@/lib/deploy/run-commands";
import { waitFor } from "@/lib/deploy/verify";
import { KeyedSlots } from "@/lib/jobs/concurrency";
import type { JobContext } from "@/lib/jobs/types";
import { listsSasBefore, snapshotSas } from "@/lib/rotation/key-switch";
import { listRouterSas } from "@/lib/rotation/key-steps";
import {
  byGateway,
  fail,
  SA_LIST_TIMEOUT_MS,
  SA_SNAPSHOT_TIMEOUT_MS,
  tunnels,
  type KeyTarget,
  type TunnelSwitch,
} from "@/lib/rotation/key-target";
import type { SessionCache } from "@/lib/rotation/session-cache";

/** Each router's readiness for the per-tunnel switch, by gateway id; a router that fails drops its tunnels. */
export function snapshotAndLoad<T extends KeyTarget>(
  ctx: JobContext<unknown>,
  sessions: SessionCache,
  switches: TunnelSwitch<T>[],
  keyName: string,
) {
  const ready = new Map<string, Promise<void>>();
  // One key: a bound on routers at once, not per router.
  const routers = new KeyedSlots(() => parallelGateways());
  for (const g of byGateway(switches.flatMap((s) => s.target.ends.map((end) => ({ of: s, end }))))) {
    const commands = new Map<string, Command>();
    for (const { of: s, end } of g.items) {
      for (const op of s.plan.filter((o) => o.gatewayWide && o.role === end.role))
        for (const c of op.commands) commands.set(JSON.stringify(c.argv), c);
    }
    // A peer on another platform names its SAs differently (Libreswan prints no IKE SPIs), so its listing cannot stand in.
    const listed = g.items.filter(({ of: s, end }) => listsSasBefore(end, s.lighter, s.target.ends));
    if (!commands.size && !listed.length) {
      ready.set(g.gatewayId, Promise.resolve());
      continue;
    }
    const load = commands.size ? `load the ${keyName}${g.items.length > 1 ? "s" : ""}` : null;
    const what = [listed.length ? "list the SAs" : null, load].filter(Boolean).join(" and ");
    const work = routers.run("routers", () =>
      ctx
        .step(`${what} on ${g.name} (${tunnels(g.items.length)})`, g.gatewayId, async () => {
          const io = await sessions.io(g.gatewayId);
          if (listed.length) {
            // A busy hub may answer slowly: a listing that times out is tried again, rather than failing all its tunnels.
            const listing = await waitFor(
              () => listRouterSas(io, g.items[0]!.end, SA_LIST_TIMEOUT_MS),
              () => true,
              SA_SNAPSHOT_TIMEOUT_MS,
              1000,
            );
            for (const { of: s, end } of listed) s.before[end.role] = snapshotSas(listing.sasOf(end.end) ?? []);
          }
          if (commands.size) await runCommands(io, g.name, [...commands.values()], (level, m) => ctx.log(level, m, g.name));
        })
        .catch((e) => g.items.forEach((i) => fail(i.of.target, e))),
    );
    ready.set(g.gatewayId, work);
  }
  return ready;
}
