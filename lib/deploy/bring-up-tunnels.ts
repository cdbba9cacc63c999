// The deploy's bring-up, each router and each tunnel on its own, with no fleet-wide
// barrier between the steps:
//   a router backs up, arms its commit-confirm timer, uploads, and applies the ends it
//   goes first on, as soon as it gets a slot;
//   an end that goes second (it initiates) is applied as soon as the peers of its router's
//   second ends have gone first;
//   a router checks each of its ends as soon as both ends of that tunnel are applied;
//   a tunnel is pinged as soon as both its ends are up;
//   a router is confirmed (its timer disarmed) as soon as all its tunnels are proven.
// At most parallelGateways() routers are worked on at once. A chain waiting for its peers
// holds no slot, so even one slot cannot deadlock; a slot holder only ever waits for a
// router, never for another chain.
import "server-only";
import type { ConnectGateway } from "@/lib/deploy/connect";
import type { DeployBatch, TunnelRun } from "@/lib/deploy/deploy-batch";
import type { GatewayWork } from "@/lib/deploy/gateway-work";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { backUpAndUploadRouter } from "@/lib/deploy/upload-changes";
import { applyRound, keepRunningIfUnchanged } from "@/lib/deploy/apply-ends";
import { notUpReason, pingTunnel, verifyRouterStep } from "@/lib/deploy/verify-tunnels";
import { confirmRouter } from "@/lib/deploy/confirm-routers";
import { parallelGateways } from "@/lib/config/env";
import { deferred, KeyedSlots, type Deferred } from "@/lib/jobs/concurrency";
import type { JobContext } from "@/lib/jobs/types";

type Ctx = JobContext<unknown>;

const endKey = (e: RenderableEnd) => `${e.end.tunnelId}/${e.role}`;

export async function bringUpTunnels(ctx: Ctx, batch: DeployBatch, connect: ConnectGateway): Promise<void> {
  await keepRunningIfUnchanged(ctx, batch);
  const slots = new KeyedSlots(() => parallelGateways());
  const slot = <T>(fn: () => Promise<T>) => slots.run("", fn);
  const routers = batch.gateways.filter((w) => w.io);

  /** A router's first round done (or given up): its peers may go second. */
  const wentFirst = new Map(batch.gateways.map((w) => [w.gatewayId, deferred<void>()]));
  /** Each tunnel end applied (or not to be: failed, kept running, its router unreachable). */
  const applied = new Map<string, Deferred<void>>();
  /** Each tunnel end seen up (true) or given up on (false). */
  const up = new Map<string, Deferred<boolean>>();
  /** Each tunnel proven (both ends up and its ping answered) or failed. */
  const proven = new Map(batch.runs.map((r) => [r.id, deferred<void>()]));
  for (const r of batch.runs)
    for (const e of r.ends) {
      applied.set(endKey(e), deferred());
      up.set(endKey(e), deferred());
    }
  // Routers that could not be reached at planning have nothing to do; their tunnels already failed.
  for (const w of batch.gateways.filter((x) => !x.io)) {
    wentFirst.get(w.gatewayId)!.resolve();
    for (const e of w.ends) {
      applied.get(endKey(e))!.resolve();
      up.get(endKey(e))!.resolve(false);
    }
  }
  const lost = new Map<string, string>();
  const bothApplied = (tunnelId: string) =>
    Promise.all(batch.byId.get(tunnelId)!.ends.map((e) => applied.get(endKey(e))!.promise)).then(() => undefined);
  const goesFirst = (e: RenderableEnd) => e.role !== batch.runOf(e).lastRole;
  const lastRole = new Map(batch.runs.map((r) => [r.id, r.lastRole]));

  const routerChain = async (w: GatewayWork) => {
    try {
      await slot(async () => {
        await backUpAndUploadRouter(ctx, batch, w);
        await applyRound(ctx, batch, w, false);
      });
    } finally {
      wentFirst.get(w.gatewayId)!.resolve();
      for (const e of w.ends.filter(goesFirst)) applied.get(endKey(e))!.resolve();
    }
    const second = w.ends.filter((e) => !goesFirst(e));
    try {
      if (second.length) {
        const peers = new Set(second.map((e) => batch.runOf(e).ends.find((x) => x.role !== e.role)!.gatewayId));
        await Promise.all([...peers].map((g) => wentFirst.get(g)!.promise));
        await slot(() => applyRound(ctx, batch, w, true));
      }
    } finally {
      for (const e of second) applied.get(endKey(e))!.resolve();
    }
    try {
      // Nothing left to check here when every tunnel of this router already failed (e.g. its upload).
      if (w.ends.every((e) => batch.runOf(e).error)) return;
      await verifyRouterStep(
        ctx,
        w,
        w.ends.map((end) => ({ end, ready: bothApplied(end.end.tunnelId) })),
        {
          lastRole,
          up: (id) => up.get(endKey(w.ends.find((e) => e.end.tunnelId === id)!))!.resolve(true),
          slot,
          lost,
          dropped: (id) => batch.byId.get(id)!.error !== null,
        },
      );
    } finally {
      for (const e of w.ends) up.get(endKey(e))!.resolve(false);
    }
  };

  const tunnelChain = async (r: TunnelRun) => {
    try {
      const ups = await Promise.all(r.ends.map((e) => up.get(endKey(e))!.promise));
      if (!r.error && !ups.every(Boolean)) batch.fail(r, notUpReason(r, lost));
      if (!r.error && r.ends[0].end.kind === "net-to-net")
        await slot(() => pingTunnel(ctx, r, batch.works, (x, why) => batch.fail(x, why)));
    } finally {
      proven.get(r.id)!.resolve();
    }
  };

  // "verified" confirmation (confirm-routers): only a router all of whose tunnels were proven.
  const confirmChain = async (w: GatewayWork) => {
    await Promise.all(w.ends.map((e) => proven.get(e.end.tunnelId)!.promise));
    if (!w.timer || w.rollBackFailed || w.ends.some((e) => batch.runOf(e).error)) return;
    const why = await slot(() => confirmRouter(ctx, w, connect, "verified"));
    if (why) batch.failGateway(w, why);
  };

  await Promise.all([...routers.map(routerChain), ...batch.runs.map(tunnelChain), ...routers.map(confirmChain)]);
}
