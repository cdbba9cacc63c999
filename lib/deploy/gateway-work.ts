// One router's share of a deploy of one or more tunnels, as steps on a RouterIO:
// read what is there, back it up on the router, upload, apply each tunnel end, and
// put a tunnel's old state back on failure. A hub with N tunnels is one GatewayWork:
// one session, one read, one upload, router-wide commands (scope "router": a load of
// every connection, a sysctl) run once per round.
import { getPlatform } from "@/lib/platforms";
import type { Command, Platform, RenderedFile } from "@/lib/platforms/contract";
import { endApplyCommands } from "@/lib/deploy/fleet-plan";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import { backupPathFor, planFileChanges, type FileChange, type FilePlan } from "@/lib/deploy/plan";
import { runCommands, type Logger } from "@/lib/deploy/run-commands";
import { checkEnds, type EndCheck } from "@/lib/deploy/verify";
import { pruneBackups } from "@/lib/deploy/prune-backups";
import { getEnv } from "@/lib/config/env";
import { logger } from "@/lib/log/logger";
import { keptSecretPath, type RestorePlan } from "@/lib/deploy/commit-confirm/script";
import { armTimer, disarmTimer, newToken, type ArmedTimer } from "@/lib/deploy/commit-confirm/router-timer";

const commandKey = (c: Command) => c.argv.join("\u0000");
/** Commands that act on the whole router; running them once per round is enough. */
const isRouterWide = (c: Command) => c.scope === "router";

export class GatewayWork {
  readonly platform: Platform;
  io: RouterIO | null = null;
  current = new Map<string, string | null>();
  plan: FilePlan | null = null;
  readonly written: FileChange[] = [];
  readonly applied = new Set<string>();
  /** The router-side commit-confirm timer of this job, while armed. */
  timer: ArmedTimer | null = null;
  /** Gatewarden could not put this router back: its timer must stay armed and do it. */
  rollBackFailed = false;
  /**
   * tunnel id → that tunnel's own files under the name the router holds, where the
   * deploy renames it (RenderableEnd.previous): removed where the router has them.
   */
  retiredFiles = new Map<string, RenderedFile[]>();

  constructor(
    readonly gatewayId: string,
    readonly name: string,
    public ends: RenderableEnd[],
    /** tunnel id → the paths of that tunnel's own files here (scope "tunnel"). */
    public ownFiles: Map<string, RenderedFile[]>,
    public sharedFiles: RenderedFile[],
  ) {
    this.platform = getPlatform(ends[0]!.platform);
  }

  get desired(): RenderedFile[] {
    return [...[...this.ownFiles.values()].flat(), ...this.sharedFiles];
  }

  private get router(): RouterIO {
    if (!this.io) throw new Error(`${this.name}: not connected`);
    return this.io;
  }

  private get retired(): RenderedFile[] {
    return [...this.retiredFiles.values()].flat();
  }

  async readCurrent(): Promise<FilePlan> {
    for (const f of [...this.desired, ...this.retired])
      if (!this.current.has(f.path)) this.current.set(f.path, await this.router.readFile(f.path));
    return this.replan();
  }

  /** Plans again from what was read, e.g. after some tunnels were dropped from the deploy. */
  replan(): FilePlan {
    this.plan = planFileChanges(this.desired, this.current, this.retired);
    return this.plan;
  }

  /** This tunnel's own paths here: its files, and those under the name it is renamed from. */
  private ownPathsOf(tunnelId: string): string[] {
    return [...(this.ownFiles.get(tunnelId) ?? []), ...(this.retiredFiles.get(tunnelId) ?? [])].map((f) => f.path);
  }

  /** Nothing this tunnel depends on changes here: its own files and the router's shared ones are as the router has them. */
  unchangedFor(tunnelId: string): boolean {
    const changed = new Set((this.plan?.changes ?? []).map((c) => c.path));
    return [...this.ownPathsOf(tunnelId), ...this.sharedFiles.map((f) => f.path)].every((p) => !changed.has(p));
  }

  /** The end as the router has it applied now: under its old name while being renamed. */
  private asBefore(end: RenderableEnd): RenderableEnd["end"] {
    return this.renames(end) ? end.previous! : end.end;
  }

  /**
   * The router holds this tunnel under another name, with files of its own there (not
   * CentOS: its files are named ipsecN; not a tunnel never deployed under the old name).
   */
  private renames(end: RenderableEnd): boolean {
    const old = end.previous ? this.retiredFiles.get(end.end.tunnelId) : undefined;
    return !!old?.some((f) => (this.current.get(f.path) ?? null) !== null);
  }

  /** The tunnel's main file (ifcfg-ipsecN, the swanctl conf) was already on the router (under its old name, if renamed). */
  hadTunnelBefore(tunnelId: string): boolean {
    const onRouter = (files: RenderedFile[] | undefined) => {
      const primary = files?.find((f) => !f.secret);
      return primary ? (this.current.get(primary.path) ?? null) !== null : false;
    };
    return onRouter(this.ownFiles.get(tunnelId)) || onRouter(this.retiredFiles.get(tunnelId));
  }

  /**
   * Copies the files about to change to BACKUP_ROOT/<jobId>/ on the router, then keeps
   * only the newest `keep` backups there. Secret files are not copied: Gatewarden renders
   * them again from its rows (a rollback restores them from the job's memory), and a
   * backup folder must not keep retired keys on the router.
   */
  async backUp(jobId: string, keep = getEnv().deployBackupsKept): Promise<number> {
    let n = 0;
    for (const c of this.plan?.changes ?? []) {
      if (c.before === null || c.secret) continue;
      const path = backupPathFor(jobId, c.path);
      await this.router.ensureDir(path.slice(0, path.lastIndexOf("/")), 0o700);
      await this.router.uploadFile({ path, content: c.before, mode: 0o600 });
      n++;
    }
    // Only a new backup adds to the count; without one there is nothing to prune.
    if (n > 0) await this.deleteOldBackups(jobId, keep);
    return n;
  }

  /** Housekeeping: a failure is logged and never fails the deploy, whose own backup is in place. */
  private async deleteOldBackups(jobId: string, keep: number): Promise<void> {
    try {
      const deleted = await pruneBackups(this.router, { current: jobId, keep });
      if (deleted.length) logger.info({ gateway: this.name, jobId, deleted: deleted.length, kept: keep }, "deleted old deploy backups");
    } catch (e) {
      logger.warn({ err: e, gateway: this.name, jobId }, "could not delete old deploy backups");
    }
  }

  /**
   * What the router's own timer does if this job is not confirmed: stop the tunnels whose
   * files change here, put back every changed file (from the backup; a secret file from
   * a copy kept for the window), and bring back the tunnels as they were (forgetting the
   * new ones). Secret copies are returned apart: they go up over SFTP, 0600.
   */
  restorePlan(jobId: string, token: string, seconds: number): { plan: RestorePlan; secrets: { path: string; content: string }[] } {
    const changes = this.plan?.changes ?? [];
    const changed = new Set(changes.map((c) => c.path));
    const sharedChanged = this.sharedFiles.some((f) => changed.has(f.path));
    const ends = this.ends.filter((e) => sharedChanged || this.ownPathsOf(e.end.tunnelId).some((p) => changed.has(p)));
    const once = (commands: Command[]) => {
      const seen = new Set<string>();
      return commands.filter((c) => !isRouterWide(c) || (!seen.has(commandKey(c)) && seen.add(commandKey(c))));
    };
    const secrets = changes
      .filter((c) => c.secret && c.before !== null)
      .map((c) => ({ path: keptSecretPath(jobId, c.path), content: c.before! }));
    const files = changes.map((c) => ({
      path: c.path,
      mode: c.mode,
      backup: c.before === null ? null : c.secret ? keptSecretPath(jobId, c.path) : backupPathFor(jobId, c.path),
    }));
    // A renamed tunnel comes back under its old name, from its old files.
    const reapply = once(
      ends.filter((e) => this.hadTunnelBefore(e.end.tunnelId)).flatMap((e) => this.platform.applyCommands(this.asBefore(e))),
    );
    if (ends.some((e) => !this.hadTunnelBefore(e.end.tunnelId))) reapply.push(...this.platform.reloadCommands());
    return {
      plan: {
        jobId,
        token,
        seconds,
        tunnelIds: ends.map((e) => e.end.tunnelId),
        // Under the new names: applying a renamed tunnel has already stopped its old name.
        stop: once(ends.flatMap((e) => this.platform.teardownCommands(e.end))),
        reapply: once(reapply),
        files,
      },
      secrets,
    };
  }

  /** Arms the router's commit-confirm timer before anything here changes; nothing to restore, nothing armed. */
  async armConfirm(jobId: string, seconds: number): Promise<ArmedTimer | null> {
    if (!this.plan?.changes.length || seconds <= 0) return null;
    const { plan, secrets } = this.restorePlan(jobId, newToken(), seconds);
    this.timer = await armTimer(this.router, plan, secrets);
    return this.timer;
  }

  /** Confirms the change here: the timer is disarmed (or had already restored the router: "reverted"). */
  async confirm(): Promise<"confirmed" | "reverted"> {
    if (!this.timer) return "confirmed";
    const result = await disarmTimer(this.router, this.timer);
    // Either way the timer is gone: disarmed, or it has run.
    this.timer = null;
    return result;
  }

  async upload(): Promise<void> {
    for (const c of this.plan?.changes ?? []) {
      await this.router.ensureDir(c.path.slice(0, c.path.lastIndexOf("/")), 0o755);
      this.written.push(c);
      if (c.after === null) await this.router.removeFile(c.path);
      else await this.router.uploadFile({ path: c.path, content: c.after, mode: c.mode });
    }
  }

  /**
   * Applies one tunnel end. `ran` holds the router-wide commands already run on this
   * router in this round. `peerNext`: the end's peer is configured after it, so commands
   * that need the peer (initiating) are skipped and the exits the platform expects while
   * the peer is pending are accepted.
   */
  async applyEnd(end: RenderableEnd, log: Logger, ran: Set<string>, peerNext: boolean): Promise<void> {
    this.applied.add(end.end.tunnelId);
    // Renamed: the connection under the old name is stopped and unloaded first (its files
    // are already gone), so the router never runs both, nor keeps the old one loaded.
    const retire = this.renames(end) ? this.platform.teardownCommands(end.previous!) : [];
    const commands = endApplyCommands(this.platform, end.end, ran, peerNext, retire);
    await runCommands(this.router, this.name, commands, log);
  }

  /**
   * After a rollback: these tunnels are (again) under the names the router held before,
   * so what is checked next (the proof the old tunnel is back) looks for those.
   */
  backToOldNames(tunnelIds: ReadonlySet<string>): void {
    this.ends = this.ends.map((e) => (tunnelIds.has(e.end.tunnelId) && this.renames(e) ? { ...e, end: e.previous!, previous: null } : e));
  }

  /** Status commands once for the router, judged for each of the given ends. */
  async check(ends: RenderableEnd[]): Promise<Map<string, EndCheck>> {
    const out = new Map<string, EndCheck>();
    if (!ends.length) return out;
    const results = await checkEnds(
      this.router,
      this.platform,
      ends.map((e) => e.end),
    );
    ends.forEach((e, i) => out.set(e.end.tunnelId, results[i]!));
    return out;
  }

  /**
   * Takes the given tunnels back to what the router had: stops them, writes their old
   * files back (removing new ones), rewrites the shared files it changed — as `shared`
   * renders them for the tunnels that stay, or the router's old copy with "restore" —
   * and re-applies the tunnels that existed before.
   */
  async rollBack(
    tunnelIds: Set<string>,
    shared: RenderedFile[] | "restore",
    log: Logger,
    peerNext: (tunnelId: string) => boolean,
  ): Promise<void> {
    const io = this.router;
    const ends = this.ends.filter((e) => tunnelIds.has(e.end.tunnelId));
    for (const e of ends)
      if (this.applied.has(e.end.tunnelId)) await runCommands(io, this.name, this.platform.teardownCommands(e.end), log);
    const ownPaths = new Set(ends.flatMap((e) => this.ownPathsOf(e.end.tunnelId)));
    let restored = 0;
    for (const c of this.written.filter((w) => ownPaths.has(w.path))) {
      if (c.before === null) await io.removeFile(c.path);
      else await io.uploadFile({ path: c.path, content: c.before, mode: c.mode });
      restored++;
    }
    for (const c of this.written.filter((w) => !ownPaths.has(w.path) && this.sharedFiles.some((f) => f.path === w.path))) {
      const keep = shared === "restore" ? undefined : shared.find((f) => f.path === c.path);
      if (keep) await io.uploadFile(keep);
      else if (c.before === null) await io.removeFile(c.path);
      else await io.uploadFile({ path: c.path, content: c.before, mode: c.mode });
      restored++;
    }
    await log("info", `restored ${restored} file(s)`);
    const ran = new Set<string>();
    for (const e of ends) {
      // As it was: under its old name when this deploy renamed it (old files restored above).
      const before: RenderableEnd = { ...e, end: this.asBefore(e), previous: null };
      if (this.hadTunnelBefore(e.end.tunnelId)) await this.applyEnd(before, log, ran, peerNext(e.end.tunnelId));
    }
    if (ends.some((e) => !this.hadTunnelBefore(e.end.tunnelId))) await runCommands(io, this.name, this.platform.reloadCommands(), log);
  }
}
