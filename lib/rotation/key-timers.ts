// Router-side commit-confirm for key rotations (README: Commit-confirm). Before a router
// gets a new key, a timer is armed on it that puts back each tunnel's previous key and
// negotiates again with it, unless Gatewarden confirms that tunnel first. A tunnel is
// confirmed on both its routers once its new key is proven there (new IKE SA, LAN ping),
// before the database makes the new key active; a tunnel Gatewarden reverted itself is
// released the same way. A tunnel left stuck (Gatewarden could not put it back, e.g. it
// lost a router's SSH) stays armed: each router then restores the old key by itself at
// the deadline, unless a recovery or Repair job reaches both routers first and takes over
// (takeOverKeyTimers) before it sets the key itself.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import type { Command } from "@/lib/platforms/contract";
import type { RouterIO } from "@/lib/deploy/router-io";
import { armKeyTimer, confirmKeyTunnel, newToken, pendingKeyTimers, type ArmedTimer } from "@/lib/deploy/commit-confirm/router-timer";
import { keptKeyPath, type KeyRestoreTunnel } from "@/lib/deploy/commit-confirm/script";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { mapBounded } from "@/lib/jobs/concurrency";
import { CHANNELS_PER_SESSION } from "@/lib/deploy/fleet-plan";
import { message, type KeyTarget } from "@/lib/rotation/key-target";
import type { SessionCache } from "@/lib/rotation/session-cache";
import { loadTunnelEnds } from "@/lib/rendering/load-ends";
import { labelOf } from "@/lib/rotation/rotation-outcome";

type Armed = ArmedTimer & { gatewayId: string; gatewayName: string; tunnelIds: Set<string> };

export class KeyTimers {
  private readonly armed = new Map<string, Armed>();

  /**
   * `timerId`: names the timer on the routers (the job id; a later batch of the same job
   * adds "-<n>"). A router armed in the "b" round adds "-b": one that is end "a" of one
   * tunnel and end "b" of another gets two timers, not one overwritten by the other.
   */
  constructor(
    readonly timerId: string,
    readonly seconds: number,
  ) {}

  /**
   * Arms the timer on one router for the tunnels about to get a new key there. Throws when
   * it did not start: the caller must then not change the router.
   */
  async arm(ctx: JobContext<unknown>, g: { gatewayId: string; name: string }, io: RouterIO, items: KeyTarget[]): Promise<void> {
    if (this.seconds <= 0 || !items.length) return;
    const role = items[0]!.ends.find((e) => e.gatewayId === g.gatewayId)!.role;
    const timerId = role === "a" ? this.timerId : `${this.timerId}-${role}`;
    const tunnels: KeyRestoreTunnel[] = [];
    const secrets: { path: string; content: string }[] = [];
    const routerCommands = new Map<string, Command>();
    // The keys the router holds now, several files at once over its SFTP channel.
    const held = await mapBounded(items, CHANNELS_PER_SESSION, async (t) => {
      const end = t.ends.find((e) => e.gatewayId === g.gatewayId)!;
      const files = getPlatform(end.platform)
        .render(end.end)
        .filter((x) => x.secret);
      return { t, end, files: await Promise.all(files.map(async (f) => ({ path: f.path, before: await io.readFile(f.path) }))) };
    });
    for (const { t, end, files: read } of held) {
      const platform = getPlatform(end.platform);
      const files = [];
      for (const { path, before } of read) {
        const backup = before === null ? null : keptKeyPath(timerId, t.tunnelId, path);
        if (before !== null && backup) secrets.push({ path: backup, content: before });
        files.push({ path, backup, mode: 0o600 });
      }
      for (const c of platform.keySwitch.load(end.end)) routerCommands.set(c.argv.join("\u0000"), c);
      tunnels.push({ tunnelId: t.tunnelId, files, commands: [...platform.keySwitch.stop(end.end), ...platform.keySwitch.start(end.end)] });
    }
    const plan = { jobId: timerId, token: newToken(), seconds: this.seconds, tunnels, routerCommands: [...routerCommands.values()] };
    const timer = await armKeyTimer(io, plan, secrets);
    this.armed.set(`${g.gatewayId}/${role}`, {
      ...timer,
      gatewayId: g.gatewayId,
      gatewayName: g.name,
      tunnelIds: new Set(items.map((t) => t.tunnelId)),
    });
    await ctx.log(
      "info",
      `commit-confirm armed (${timer.how}): unless confirmed, the router puts back the previous key of ${items.length} tunnel(s) by itself at ${timer.deadline.toISOString()} (${timer.seconds} s)`,
      g.name,
    );
  }

  /** The timers (by router and round) that guard a tunnel. */
  private of(tunnelId: string): [string, Armed][] {
    return [...this.armed.entries()].filter(([, a]) => a.tunnelIds.has(tunnelId));
  }

  /**
   * Confirms the tunnel on each of its armed routers. `strict`: any router that cannot be
   * confirmed (unreachable, or its timer already put the old key back) throws, so the
   * new key is not made active; otherwise it is logged (the timer restores the same key).
   */
  async confirm(ctx: JobContext<unknown>, sessions: SessionCache, t: Pick<KeyTarget, "tunnelId" | "label">, strict: boolean) {
    for (const [key, a] of this.of(t.tunnelId)) {
      const gatewayId = a.gatewayId;
      try {
        const said = await ctx.step(`confirm ${t.label} on ${a.gatewayName}`, gatewayId, async () => {
          const result = await confirmKeyTunnel(await sessions.io(gatewayId), a, t.tunnelId);
          if (result === "reverted")
            throw new JobFailure(
              `${a.gatewayName} put back the previous key by itself before Gatewarden confirmed (commit-confirm reverted)`,
            );
          return result;
        });
        a.tunnelIds.delete(t.tunnelId);
        if (!a.tunnelIds.size) this.armed.delete(key);
        const rest = said === "disarmed" ? "; no tunnel is pending here: the router's timer is disarmed" : "";
        await ctx.log("info", `commit-confirm: ${t.label} confirmed${strict ? "" : " (its previous key is back)"}${rest}`, a.gatewayName);
      } catch (e) {
        const why = `${t.label}: could not confirm on ${a.gatewayName} (${message(e)}); the router puts back the previous key by itself at ${a.deadline.toISOString()} (commit-confirm)`;
        await ctx.log(strict ? "error" : "warn", why, a.gatewayName);
        if (strict) throw new JobFailure(why);
      }
    }
  }

  /** After the batch: tunnels not left stuck are released; a stuck one stays armed (its routers put the old key back). */
  async settle(ctx: JobContext<unknown>, sessions: SessionCache, outcomes: { tunnelId: string; label: string; result: string }[]) {
    for (const o of outcomes) {
      if (o.result !== "stuck") {
        if (this.of(o.tunnelId).length) await this.confirm(ctx, sessions, o, false);
        continue;
      }
      for (const [, a] of this.of(o.tunnelId))
        await ctx.log(
          "warn",
          `${o.label}: commit-confirm left armed: unless a recovery or Repair takes over first, the router puts back the previous key by itself at ${a.deadline.toISOString()}`,
          a.gatewayName,
        );
    }
  }
}

/**
 * A recovery or Repair job settling a tunnel takes over the timers an earlier rotation
 * left armed for it: once it reaches BOTH routers (else nothing is touched: a router that
 * cannot be reached keeps its timer, and so does its peer, so both put the old key back),
 * each timer's pending tunnel is confirmed, so no timer changes a key after this job set it.
 */
export async function takeOverKeyTimers(ctx: JobContext<unknown>, sessions: SessionCache, tunnelId: string): Promise<void> {
  const loaded = await loadTunnelEnds(tunnelId, "active");
  if (!loaded) return;
  ctx.addSecret(loaded.ends[0].end.psk);
  const t = { tunnelId, label: labelOf(loaded.ends), gateways: loaded.ends.map((e) => ({ gatewayId: e.gatewayId, name: e.gatewayName })) };
  const ios: RouterIO[] = [];
  for (const g of t.gateways) {
    try {
      ios.push(await sessions.io(g.gatewayId));
    } catch {
      return;
    }
  }
  for (const [i, g] of t.gateways.entries()) {
    try {
      for (const timer of await pendingKeyTimers(ios[i]!, t.tunnelId)) {
        const said = await confirmKeyTunnel(ios[i]!, timer, t.tunnelId);
        // The timer's name is the job id, with "-<n>" / "-b" for a later batch or the "b" round.
        const job = timer.jobId.replace(/-.*$/, "");
        await ctx.log(
          said === "reverted" ? "warn" : "info",
          said === "reverted"
            ? `commit-confirm: ${t.label}: the timer of job ${job} had already put back the previous key here`
            : `commit-confirm: ${t.label}: took over from job ${job}'s timer (confirmed${said === "disarmed" ? "; it is disarmed" : ""})`,
          g.name,
        );
      }
    } catch (e) {
      await ctx.log("warn", `commit-confirm: ${t.label}: could not take over an armed timer (${message(e)})`, g.name);
    }
  }
}
