// One router's share of a tunnel deploy, as steps on a RouterIO: read what is there,
// back it up on the router, upload, apply, and put the old state back on failure.
import { getPlatform } from "@/lib/platforms";
import type { Platform, RenderedFile } from "@/lib/platforms/contract";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import { backupPathFor, planFileChanges, type FileChange, type FilePlan } from "@/lib/deploy/plan";
import { runCommands, type Logger } from "@/lib/deploy/run-commands";

export class EndWork {
  readonly platform: Platform;
  io: RouterIO | null = null;
  plan: FilePlan | null = null;
  /** Files written to the router so far (their old content is in the plan). */
  readonly written: FileChange[] = [];
  applied = false;

  constructor(
    readonly target: RenderableEnd,
    readonly desired: RenderedFile[],
  ) {
    this.platform = getPlatform(target.platform);
  }

  get name(): string {
    return this.target.gatewayName;
  }

  /** This tunnel's main file (ifcfg-ipsecN, the swanctl conf) was already there. */
  get hadTunnelBefore(): boolean {
    const primary = this.desired.find((f) => f.scope === "tunnel" && !f.secret);
    if (!primary || !this.plan) return false;
    if (this.plan.unchanged.includes(primary.path)) return true;
    return this.plan.changes.some((c) => c.path === primary.path && c.before !== null);
  }

  private get router(): RouterIO {
    if (!this.io) throw new Error(`${this.name}: not connected`);
    return this.io;
  }

  async readCurrent(): Promise<FilePlan> {
    const current = new Map<string, string | null>();
    for (const f of this.desired) current.set(f.path, await this.router.readFile(f.path));
    this.plan = planFileChanges(this.desired, current);
    return this.plan;
  }

  async backUp(jobId: string): Promise<number> {
    let n = 0;
    for (const c of this.plan?.changes ?? []) {
      if (c.before === null) continue;
      const path = backupPathFor(jobId, c.path);
      await this.router.ensureDir(path.slice(0, path.lastIndexOf("/")), 0o700);
      await this.router.uploadFile({ path, content: c.before, mode: 0o600 });
      n++;
    }
    return n;
  }

  async upload(): Promise<void> {
    for (const c of this.plan?.changes ?? []) {
      await this.router.ensureDir(c.path.slice(0, c.path.lastIndexOf("/")), 0o755);
      this.written.push(c);
      await this.router.uploadFile({ path: c.path, content: c.after, mode: c.mode });
    }
  }

  async apply(log: Logger, firstOfTwo: boolean): Promise<void> {
    this.applied = true;
    await runCommands(this.router, this.name, this.platform.applyCommands(this.target.end), log, (command, outcome) =>
      firstOfTwo && command.argv[0] === "/sbin/ifup" && outcome.exitCode === 2
        ? "tunnel not up yet: its peer is configured next"
        : null,
    );
  }

  /**
   * Stops the new tunnel, writes the old files back (removing files that did not
   * exist), and re-applies the old tunnel if there was one.
   */
  async rollBack(log: Logger, firstOfTwo: boolean): Promise<void> {
    const io = this.router;
    if (this.applied) await runCommands(io, this.name, this.platform.teardownCommands(this.target.end), log);
    for (const c of [...this.written].reverse()) {
      if (c.before === null) await io.removeFile(c.path);
      else await io.uploadFile({ path: c.path, content: c.before, mode: c.mode });
    }
    await log("info", `restored ${this.written.length} file(s)`);
    if (this.hadTunnelBefore) {
      await runCommands(io, this.name, this.platform.applyCommands(this.target.end), log, (command, outcome) =>
        firstOfTwo && command.argv[0] === "/sbin/ifup" && outcome.exitCode === 2 ? "old tunnel not up yet: its peer is restored next" : null,
      );
    } else if (this.platform.id === "strongswan" && this.applied) {
      // Unload the connection whose file was just removed.
      await runCommands(io, this.name, [{ argv: ["swanctl", "--load-all"], description: "unload the removed connection" }], log);
    }
  }
}
