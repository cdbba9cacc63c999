// Deploys one or more tunnels and proves each works. Per router (a hub with N tunnels
// is visited once): connect → read current files (diff in the log) → back up on the
// router → upload. Then each tunnel's end on the busier router is applied (a hub: one
// `swanctl --load-all` for all its tunnels, nothing to initiate yet), then every end on
// the less busy router (a spoke: load and initiate), so each bring-up finds its peer
// configured and a hub does not initiate its N tunnels one by one; then both ends are
// verified (SA or route) and net-to-net tunnels are pinged LAN to LAN from their less
// busy end. A tunnel that fails at any point is rolled back on both routers (old
// files, old tunnel); the others stay. A tunnel is green only when both ends verify.
// An unchanged tunnel that is up is not applied again where that would interrupt it
// (Libreswan, CentOS), only verified.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { RenderError, type RenderedFile } from "@/lib/platforms/contract";
import { loadGatewayEnds, loadTunnelEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit } from "@/lib/db/audit";
import { getTunnelDeployState, recordTunnelDeployed, setTunnelDeployState } from "@/lib/db/gateways";
import { describeChanges, hashFiles } from "@/lib/deploy/plan";
import { GatewayWork } from "@/lib/deploy/gateway-work";
import { pingThroughTunnel, waitFor } from "@/lib/deploy/verify";
import type { RouterIO } from "@/lib/deploy/router-io";
import { mapBounded } from "@/lib/deploy/bounded";
import { runCommands } from "@/lib/deploy/run-commands";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { gatewayLoad, lighterEnd } from "@/lib/deploy/fleet-plan";

export type DeployParams = { tunnelId?: string; tunnelIds?: string[]; dryRun?: boolean };
export type ConnectGateway = (gatewayId: string, ctx: JobContext<unknown>) => Promise<RouterIO>;

// A tunnel normally verifies in 1–3 s; the margin is for loaded routers (and loaded CI).
const VERIFY_TIMEOUT_MS = 30_000;
/** How long an end may stay down during verification before it is initiated once more. */
const NUDGE_AFTER_MS = 8_000;
const PARALLEL_GATEWAYS = 32;
/**
 * Commands run at once as channels of one gateway's session: OpenSSH refuses channels
 * beyond MaxSessions (10 by default), so a hub's N pings cannot all start together.
 */
const CHANNELS_PER_SESSION = 4;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

type TunnelRun = {
  id: string;
  label: string;
  pskVersion: number;
  ends: [RenderableEnd, RenderableEnd];
  wasDeployed: boolean;
  error: string | null;
  /** The end on the less busy router: applied second (it initiates), pings from there. */
  lastRole: "a" | "b";
  /** Unchanged and up on both ends where applying again would interrupt it: not applied, only verified. */
  kept: boolean;
};

export function tunnelIdsOf(p: DeployParams): string[] {
  return [...new Set([...(p.tunnelIds ?? []), ...(p.tunnelId ? [p.tunnelId] : [])])];
}

/** This router's files for the tunnels in `alive` plus the shared files for every tunnel it keeps. */
async function filesFor(gatewayId: string, ends: RenderableEnd[], dropped: Set<string>, ctx: JobContext<DeployParams>) {
  const platform = getPlatform(ends[0]!.platform);
  const inDb = (await loadGatewayEnds(gatewayId, { onlyDeployed: true })).map((e) => e.end);
  for (const e of inDb) ctx.addSecret(e.psk);
  const deploying = new Set(ends.map((e) => e.end.tunnelId));
  const staying = [...inDb.filter((e) => !deploying.has(e.tunnelId)), ...ends.filter((e) => !dropped.has(e.end.tunnelId)).map((e) => e.end)];
  const own = new Map(ends.filter((e) => !dropped.has(e.end.tunnelId)).map((e) => [e.end.tunnelId, platform.render(e.end).filter((f) => f.scope === "tunnel")]));
  const shared: RenderedFile[] | "restore" = staying.length ? renderGatewayFiles(platform, staying).filter((f) => f.scope === "gateway") : "restore";
  return { own, shared };
}

export async function deployTunnels(ctx: JobContext<DeployParams>, connect: ConnectGateway) {
  const runs: TunnelRun[] = [];
  for (const id of tunnelIdsOf(ctx.params)) {
    const loaded = await loadTunnelEnds(id);
    if (!loaded) throw new JobFailure(`Tunnel ${id} no longer exists.`);
    ctx.addSecret(loaded.ends[0].end.psk);
    const [a, b] = loaded.ends;
    const wasDeployed = (await getTunnelDeployState(id))?.deployState === "deployed";
    runs.push({ id, label: `${a.gatewayName} ↔ ${b.gatewayName}`, pskVersion: loaded.pskVersion, ends: loaded.ends, wasDeployed, error: null, lastRole: "a", kept: false });
  }
  if (!runs.length) throw new JobFailure("No tunnel to deploy.");
  const load = gatewayLoad(runs.map((r) => ({ tunnelId: r.id, a: r.ends[0].gatewayId, b: r.ends[1].gatewayId })));
  for (const r of runs) r.lastRole = lighterEnd({ tunnelId: r.id, a: r.ends[0].gatewayId, b: r.ends[1].gatewayId }, load);
  const alive = () => runs.filter((r) => !r.error);
  const fail = (r: TunnelRun, why: string) => (r.error ??= why);
  const byId = new Map(runs.map((r) => [r.id, r]));

  const works = new Map<string, GatewayWork>();
  for (const r of runs) {
    for (const e of r.ends) {
      const w = works.get(e.gatewayId);
      if (w) w.ends.push(e);
      else works.set(e.gatewayId, new GatewayWork(e.gatewayId, e.gatewayName, [e], new Map(), []));
    }
  }
  const gateways = [...works.values()];
  const log = (w: GatewayWork) => (level: "info" | "warn" | "error", m: string) => ctx.log(level, m, w.name);
  const failGateway = (w: GatewayWork, why: string) => w.ends.forEach((e) => fail(byId.get(e.end.tunnelId)!, why));
  const dropped = () => new Set(runs.filter((r) => r.error).map((r) => r.id));
  await ctx.log("info", `Deploying ${runs.length} tunnel(s) to ${gateways.length} gateway(s): ${runs.map((r) => r.label).join(", ")}`);

  // 1. Connect and read. A router that cannot be read drops its tunnels before anything is written.
  for (const w of gateways) {
    try {
      const f = await filesFor(w.gatewayId, w.ends, new Set(), ctx);
      w.ownFiles = f.own;
      w.sharedFiles = f.shared === "restore" ? [] : f.shared;
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      failGateway(w, `${w.name}: the configuration cannot be rendered: ${e.message}`);
    }
  }
  await mapBounded(gateways.filter((w) => w.ends.some((e) => !byId.get(e.end.tunnelId)!.error)), PARALLEL_GATEWAYS, async (w) => {
    try {
      w.io = await ctx.step(`connect to ${w.name}`, w.gatewayId, () => connect(w.gatewayId, ctx as JobContext<unknown>));
      await ctx.step(`read current files on ${w.name}`, w.gatewayId, () => w.readCurrent());
    } catch (e) {
      failGateway(w, message(e));
    }
  });
  if (dropped().size) {
    for (const w of gateways.filter((w) => w.io)) {
      const f = await filesFor(w.gatewayId, w.ends, dropped(), ctx);
      w.ownFiles = f.own;
      w.sharedFiles = f.shared === "restore" ? [] : f.shared;
      w.replan();
    }
  }
  for (const w of gateways.filter((w) => w.plan && w.io)) {
    await ctx.log("info", `${w.plan!.changes.length} file(s) to write, ${w.plan!.unchanged.length} unchanged:\n${describeChanges(w.plan!, [])}`, w.name);
  }
  if (ctx.params.dryRun || !alive().length) {
    await Promise.all(gateways.map((w) => w.io?.close()));
    if (!alive().length) throw new JobFailure(summarize(runs));
    const changes = gateways.reduce((n, w) => n + (w.plan?.changes.length ?? 0), 0);
    await ctx.log("info", `Dry run: ${changes} file(s) would change; nothing was written.`);
    return { dryRun: true, changes };
  }

  // 2. Back up and upload, per router.
  await mapBounded(gateways.filter((w) => w.io && w.plan), PARALLEL_GATEWAYS, async (w) => {
    try {
      const n = await ctx.step(`back up on ${w.name}`, w.gatewayId, () => w.backUp(ctx.jobId));
      await ctx.log("info", `backed up ${n} file(s) under /var/lib/gatewarden/backups/${ctx.jobId}`, w.name);
      await ctx.step(`upload to ${w.name}`, w.gatewayId, () => w.upload());
    } catch (e) {
      failGateway(w, message(e));
    }
  });

  // 3. Apply: every tunnel's end on the busier router, then every end on the less busy one.
  await keepRunningIfUnchanged(ctx, alive(), works);
  for (const last of [false, true]) {
    await mapBounded(gateways.filter((w) => w.io), PARALLEL_GATEWAYS, async (w) => {
      const ends = w.ends.filter((e) => {
        const r = byId.get(e.end.tunnelId)!;
        return !r.error && !r.kept && (e.role === r.lastRole) === last;
      });
      if (!ends.length) return;
      const ran = new Set<string>();
      await ctx.step(`apply on ${w.name}`, w.gatewayId, async () => {
        const errors: string[] = [];
        for (const e of ends) {
          try {
            await w.applyEnd(e, log(w), ran, !last);
          } catch (err) {
            fail(byId.get(e.end.tunnelId)!, message(err));
            errors.push(message(err));
          }
        }
        if (errors.length) throw new JobFailure(errors.join("; "));
      }).catch(() => undefined);
    });
  }

  // 4. Verify both ends of every tunnel still standing, then ping through it.
  await verifyAll(ctx, runs.filter((r) => !r.error), works, fail);

  // 5. Roll back what failed; keep what works.
  const failed = runs.filter((r) => r.error);
  if (failed.length) {
    await ctx.log("error", `${failed.length} of ${runs.length} tunnel(s) failed: ${failed.map((r) => `${r.label}: ${r.error}`).join("; ")}. Rolling back ${failed.length === 1 ? "that tunnel on both gateways" : "those tunnels on their gateways"}.`);
    await rollBack(ctx, failed, works, connect);
  }
  const succeeded = runs.filter((r) => !r.error);
  await runInTransaction(async (tx) => {
    for (const r of succeeded) {
      await recordTunnelDeployed(tx, r.id, r.ends.map((e) => ({ role: e.role, hash: hashFiles(works.get(e.gatewayId)!.ownFiles.get(r.id) ?? []), pskVersion: r.pskVersion })));
      await recordAudit(tx, ctx.actor, { action: "tunnel.deploy", targetType: "tunnel", targetId: r.id, summary: `Deployed ${r.label}; both ends verified`, after: { pskVersion: r.pskVersion, job: ctx.jobId } });
    }
  });
  for (const r of failed) if (!r.wasDeployed) await setTunnelDeployState(r.id, "failed");
  await Promise.all(gateways.map((w) => w.io?.close()));
  if (failed.length) throw new JobFailure(summarize(runs));
  return { deployed: succeeded.map((r) => r.id) };
}

/**
 * Marks the tunnels whose files are the same on both routers and that are up on both ends
 * as kept, where a platform of theirs would interrupt a running tunnel by applying it again
 * (Libreswan's `ipsec auto --add` closes its SAs): a fleet deploy then leaves them running.
 * A tunnel that is not up, or whose status cannot be read, is applied as usual.
 */
async function keepRunningIfUnchanged(ctx: JobContext<DeployParams>, runs: TunnelRun[], works: Map<string, GatewayWork>) {
  const candidates = runs.filter((r) => r.ends.some((e) => works.get(e.gatewayId)!.platform.capabilities.reapplyInterrupts) && r.ends.every((e) => works.get(e.gatewayId)!.unchangedFor(r.id)));
  if (!candidates.length) return;
  const ids = new Set(candidates.map((r) => r.id));
  const upEnds = new Map<string, number>();
  await mapBounded([...works.values()].filter((w) => w.io && w.ends.some((e) => ids.has(e.end.tunnelId))), PARALLEL_GATEWAYS, async (w) => {
    const ends = w.ends.filter((e) => ids.has(e.end.tunnelId));
    try {
      const checks = await w.check(ends);
      for (const e of ends) if (checks.get(e.end.tunnelId)?.ok) upEnds.set(e.end.tunnelId, (upEnds.get(e.end.tunnelId) ?? 0) + 1);
    } catch (e) {
      await ctx.log("warn", `could not read the status of the unchanged tunnels (${message(e)}): applying them again`, w.name);
    }
  });
  for (const r of candidates.filter((r) => upEnds.get(r.id) === 2)) {
    r.kept = true;
    await ctx.log("info", `${r.label}: files unchanged and the tunnel is up on both ends: left running (applying it again would interrupt it)`);
  }
}

function summarize(runs: TunnelRun[]): string {
  const failed = runs.filter((r) => r.error);
  if (runs.length === 1) return failed[0]?.error ?? "";
  return `${failed.length} of ${runs.length} tunnel(s) failed and were rolled back: ${failed.map((r) => `${r.label}: ${r.error}`).join("; ")}`;
}

async function verifyAll(ctx: JobContext<DeployParams>, runs: TunnelRun[], works: Map<string, GatewayWork>, fail: (r: TunnelRun, why: string) => void) {
  const ids = new Set(runs.map((r) => r.id));
  const lastRole = new Map(runs.map((r) => [r.id, r.lastRole]));
  const ok = new Map<string, number>();
  await mapBounded([...works.values()].filter((w) => w.io), PARALLEL_GATEWAYS, async (w) => {
    const ends = w.ends.filter((e) => ids.has(e.end.tunnelId));
    if (!ends.length) return;
    await ctx.step(`verify ${w.name}`, w.gatewayId, async () => {
      const started = Date.now();
      const nudged = new Set<string>();
      const checks = await waitFor(
        async () => {
          const m = await w.check(ends);
          // A tunnel still down a while after both ends were applied may have lost an IKE race (both
          // ends initiating at once, an SA deleted as a duplicate): its initiating end tries once more.
          if (Date.now() - started < NUDGE_AFTER_MS) return m;
          for (const e of ends.filter((e) => e.role === lastRole.get(e.end.tunnelId) && !m.get(e.end.tunnelId)?.ok && !nudged.has(e.end.tunnelId))) {
            nudged.add(e.end.tunnelId);
            const again = w.platform.applyCommands(e.end).filter((c) => c.needsPeer);
            if (!again.length) continue;
            await ctx.log("warn", `${e.end.interfaceName} → ${e.end.remote.publicIp} is not up after ${NUDGE_AFTER_MS / 1000} s: initiating it again`, w.name);
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
        if (c.ok) ok.set(e.end.tunnelId, (ok.get(e.end.tunnelId) ?? 0) + 1);
        else bad.push(`${e.end.interfaceName}/${e.end.remote.publicIp}: ${c.reason}`);
        await ctx.log(c.ok ? "info" : "error", `${e.end.interfaceName} → ${e.end.remote.publicIp}: ${c.reason}`, w.name);
      }
      if (bad.length) throw new JobFailure(`${w.name}: did not come up within ${VERIFY_TIMEOUT_MS / 1000} s: ${bad.join("; ")}`);
    }).catch(() => undefined);
  });
  for (const r of runs) if ((ok.get(r.id) ?? 0) < 2) fail(r, `the tunnel did not come up within ${VERIFY_TIMEOUT_MS / 1000} s on both ends`);
  // Pings go out from each tunnel's less busy end over that gateway's one session.
  const pingsBySession = new Map<string, TunnelRun[]>();
  for (const r of runs.filter((r) => !r.error && r.ends[0].end.kind === "net-to-net")) {
    const from = r.ends.find((e) => e.role === r.lastRole)!.gatewayId;
    pingsBySession.set(from, [...(pingsBySession.get(from) ?? []), r]);
  }
  await mapBounded([...pingsBySession.values()], PARALLEL_GATEWAYS, (sessionRuns) =>
    mapBounded(sessionRuns, CHANNELS_PER_SESSION, async (r) => {
      const a = r.ends.find((e) => e.role === r.lastRole)!;
      const w = works.get(a.gatewayId)!;
      await ctx.step(`ping through ${r.label}`, a.gatewayId, async () => {
        const ping = await waitFor(() => pingThroughTunnel(w.io!, a.end), (p) => p.ok, 10_000, 1000);
        await ctx.log(ping.ok ? "info" : "error", ping.summary, w.name);
        if (!ping.ok) throw new JobFailure(`${w.name}: no answer through the tunnel (${ping.summary})`);
      }).catch((e) => fail(r, message(e)));
    }),
  );
}

async function rollBack(ctx: JobContext<DeployParams>, failed: TunnelRun[], works: Map<string, GatewayWork>, connect: ConnectGateway) {
  const failedIds = new Set(failed.map((r) => r.id));
  const touched = [...works.values()].filter((w) => w.ends.some((e) => failedIds.has(e.end.tunnelId)) && (w.written.length || w.applied.size));
  // In the order of applying (busier ends first), so a restored tunnel finds its peer ready.
  const isLast = (e: RenderableEnd) => failed.find((r) => r.id === e.end.tunnelId)?.lastRole === e.role;
  touched.sort((x, y) => Number(x.ends.some(isLast)) - Number(y.ends.some(isLast)));
  for (const w of touched) {
    try {
      await ctx.step(`roll back ${w.name}`, w.gatewayId, async () => {
        if (!w.io?.isAlive) {
          await w.io?.close();
          w.io = await connect(w.gatewayId, ctx as JobContext<unknown>);
        }
        const mine = new Set(w.ends.filter((e) => failedIds.has(e.end.tunnelId)).map((e) => e.end.tunnelId));
        const { shared } = await filesFor(w.gatewayId, w.ends, new Set([...failedIds].filter((id) => !failed.find((r) => r.id === id)!.wasDeployed)), ctx);
        await w.rollBack(mine, shared, (level, m) => ctx.log(level, m, w.name), (id) => {
          const e = w.ends.find((x) => x.end.tunnelId === id);
          return !!e && !isLast(e);
        });
      });
    } catch (e) {
      await ctx.log("error", `Could not roll back ${w.name}: ${message(e)}. Its files from before are kept under /var/lib/gatewarden/backups/${ctx.jobId}.`, w.name);
    }
  }
  const restored = failed.filter((r) => r.wasDeployed);
  if (!restored.length) return;
  // These tunnels worked before: prove the restored ones work again.
  const probe = restored.map((r) => ({ ...r, error: null }));
  await verifyAll(ctx, probe, works, (r, why) => (r.error = why));
  for (const r of probe) await ctx.log(r.error ? "error" : "info", r.error ? `${r.label} did not come back up after the rollback: ${r.error}` : `${r.label}: the previous tunnel is up again.`);
}
