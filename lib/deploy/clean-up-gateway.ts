// The cleanup of a router a deploy could not roll back because it lost the SSH connection
// to it (sshd died, the router rebooted, the management path broke): queued by that deploy
// (roll-back-tunnels), it waits for the router to answer again, then undoes what the deploy
// left there: the failed tunnels stopped, the files the deploy created removed, the files it
// changed put back (from the deploy's backup on the router; secret files rendered again from
// the database), the router reloaded and the tunnels that existed before applied again.
import "server-only";
import { z } from "zod";
import { getPlatform } from "@/lib/platforms";
import { renderGatewayFiles } from "@/lib/platforms/gateway-files";
import { loadGatewayEnds, loadTunnelEnds } from "@/lib/rendering/load-ends";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { getGatewayForConnection } from "@/lib/db/gateways";
import { isSshError } from "@/lib/ssh/errors";
import type { RouterIO } from "@/lib/deploy/router-io";
import { backupPathFor } from "@/lib/deploy/plan";
import { runCommands } from "@/lib/deploy/run-commands";
import { JobFailure, type JobContext } from "@/lib/jobs/types";

const jobId = z.string().regex(/^[A-Za-z0-9]{1,64}$/);
const filePath = z
  .string()
  .regex(/^\/[A-Za-z0-9._/-]{1,500}$/)
  .refine((p) => !p.split("/").includes(".."), "no .. in a path");

export const cleanupParams = z.object({
  gatewayId: z.string().min(1),
  /** The deploy that left the router half-configured (its backups are on the router under its id). */
  afterJobId: jobId,
  /** Tunnels new with that deploy: stopped here. */
  remove: z.array(z.string().min(1)).max(10_000),
  /** Tunnels that existed before: applied again once their files are back. */
  restore: z.array(z.string().min(1)).max(10_000),
  /** Files the deploy created here: removed. */
  created: z.array(filePath).max(10_000),
  /** Files the deploy changed here: put back. */
  changed: z.array(z.object({ path: filePath, mode: z.number().int().min(0).max(0o777), secret: z.boolean() })).max(10_000),
});
export type CleanupParams = z.infer<typeof cleanupParams>;

/** How long a cleanup waits for the router to answer again before it gives up (the job then says what is left). */
export const CLEANUP_WAIT_MS = 15 * 60_000;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 15_000];

export type OpenGateway = (gatewayId: string) => Promise<RouterIO>;

/** Connects as soon as the router answers; an answer that refuses us (host key, credential) ends the wait. */
async function waitForAnswer(ctx: JobContext<CleanupParams>, name: string, open: OpenGateway, waitMs: number): Promise<RouterIO> {
  const until = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(ctx.params.gatewayId);
    } catch (e) {
      const waiting = isSshError(e) && ["unreachable", "timeout", "connection-lost"].includes(e.code);
      if (!waiting) throw new JobFailure(isSshError(e) ? e.userMessage : e instanceof Error ? e.message : String(e));
      if (Date.now() >= until) {
        throw new JobFailure(
          `${name} did not answer within ${Math.round(waitMs / 60_000)} min; it still holds what job ${ctx.params.afterJobId} left. Deploy its tunnels again once it answers.`,
        );
      }
      if (attempt === 0) await ctx.log("warn", `${name} does not answer yet (${e.userMessage}); trying again until it does`, name);
      await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
    }
  }
}

/** The end as the deploy applied it (`previous`: under the name the router held before, if it renamed it). */
async function endHere(tunnelId: string, gatewayId: string): Promise<RenderableEnd | null> {
  return (await loadTunnelEnds(tunnelId, "active", "desired"))?.ends.find((e) => e.gatewayId === gatewayId) ?? null;
}

export async function cleanUpGateway(ctx: JobContext<CleanupParams>, open: OpenGateway, waitMs = CLEANUP_WAIT_MS) {
  const p = ctx.params;
  const gw = await getGatewayForConnection(p.gatewayId);
  if (!gw) throw new JobFailure("The gateway no longer exists.");
  const platform = getPlatform(gw.platform as Parameters<typeof getPlatform>[0]);
  const log = (level: "info" | "warn" | "error", m: string) => ctx.log(level, m, gw.name);
  await log("info", `Cleaning up after job ${p.afterJobId}, which lost the SSH connection to ${gw.name}`);
  const io = await ctx.step(`wait for ${gw.name} to answer`, gw.id, () => waitForAnswer(ctx, gw.name, open, waitMs));
  try {
    const ends = new Map<string, RenderableEnd>();
    for (const id of [...p.remove, ...p.restore]) {
      const e = await endHere(id, gw.id);
      if (e) {
        ctx.addSecret(e.end.psk);
        ends.set(id, e);
      }
    }
    await ctx.step(`stop the half-applied tunnels on ${gw.name}`, gw.id, async () => {
      for (const e of ends.values()) {
        await runCommands(io, gw.name, platform.teardownCommands(e.end), log);
        if (e.previous) await runCommands(io, gw.name, platform.teardownCommands(e.previous), log);
      }
    });
    await ctx.step(`put the files back on ${gw.name}`, gw.id, async () => {
      for (const path of p.created) await io.removeFile(path);
      const deployed = (await loadGatewayEnds(gw.id, { onlyDeployed: true })).filter((e) => !p.remove.includes(e.end.tunnelId));
      deployed.forEach((e) => ctx.addSecret(e.end.psk));
      const rendered = renderGatewayFiles(
        platform,
        deployed.map((e) => e.end),
      );
      for (const c of p.changed) {
        if (!c.secret) {
          const backup = await io.readFile(backupPathFor(p.afterJobId, c.path));
          if (backup === null) await log("warn", `${c.path}: no backup from job ${p.afterJobId} on the router; left as it is`);
          else await io.uploadFile({ path: c.path, content: backup, mode: c.mode });
          continue;
        }
        // Secret files are never backed up on the router: rendered again from the tunnels deployed here.
        const file = rendered.find((f) => f.path === c.path);
        if (file) await io.uploadFile(file);
        else await log("warn", `${c.path}: no deployed tunnel here renders it any more; left as it is`);
      }
      await log("info", `removed ${p.created.length} and restored ${p.changed.length} file(s)`);
    });
    await ctx.step(`reload ${gw.name}`, gw.id, async () => {
      await runCommands(io, gw.name, platform.reloadCommands(), log);
      for (const id of p.restore) {
        const e = ends.get(id);
        // Under the name the router held before the deploy (its old files are back).
        if (e) await runCommands(io, gw.name, platform.applyCommands(e.previous ?? e.end), log);
      }
    });
  } finally {
    await io.close();
  }
  await log("info", `${gw.name} no longer holds what job ${p.afterJobId} left half-applied`);
  return { cleaned: gw.id, removed: p.remove.length, restored: p.restore.length };
}
