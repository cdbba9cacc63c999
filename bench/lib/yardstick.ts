// The limit, defined without Gatewarden's job: the work itself, done with plain OpenSSH
// commands (one ControlMaster connection per router) from the platform's own files and
// commands — nothing of the job's order, batching or code. Two bounds; the limit is the larger:
//   (a) critical path on idle routers: the dependency chain of ONE tunnel, each step
//       timed alone: connect to the hub → the hub's files in (one tar stream) and loaded
//       → the spoke's files in, loaded, initiated → both ends list their SAs (the slower
//       of the two) → the LAN ping from the spoke. Rotation: hub secrets in, its SAs
//       listed, keys loaded → the spoke's secret in, loaded, reauthenticated → the new
//       IKE SA listed on both ends → the ping.
//   (b) router CPU: every step of the whole fleet operation run one after another,
//       the CPU time all router processes spent (sshd and its sessions' commands,
//       charon), divided by the cores the routers may use.
// The platform decides the files and commands (render, applyCommands, saListCommands,
// keySwitch); the hub is the router with most tunnels, and it initiates nothing.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RenderedFile } from "@/lib/platforms/contract";
import { endsByRouter, resetRouters, type BenchWorld } from "./lab-app";
import { parseProcStat, treeTicks, type ProcStat } from "./proc-cpu";
import { freshPsks } from "./ansible-ops";

export type Bound = { ms: number; steps: Record<string, number> };
export type Yardstick = {
  criticalPath: Bound;
  routerCpu: Bound & { cpuMs: number; cores: number };
  ms: number;
  bound: "critical path" | "router CPU";
};

const CLK_TCK = 100;

type Run = { code: number; stdout: string; stderr: string; ms: number };

class Ssh {
  private readonly cp: string;
  constructor(
    private readonly world: BenchWorld,
    dir: string,
  ) {
    this.cp = path.join(dir, "cp");
    mkdirSync(this.cp, { mode: 0o700 });
  }

  private async argv(router: string, remote: string[]) {
    const { sshArgv } = await import("@/e2e/lab/lab");
    const [ssh, ...rest] = sshArgv(this.world.lab, router, remote);
    return [ssh!, "-o", "ControlMaster=auto", "-o", `ControlPath=${this.cp}/%C`, "-o", "ControlPersist=300", ...rest];
  }

  /** Runs `remote` (argv; one string for a shell line) on the router; `input` goes to its stdin. */
  async run(router: string, remote: string[], input?: Buffer): Promise<Run> {
    const argv = await this.argv(router, remote);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - t0 }));
      child.stdin.end(input ?? Buffer.alloc(0));
    });
  }

  async must(router: string, remote: string[], input?: Buffer): Promise<Run> {
    const r = await this.run(router, remote, input);
    if (r.code !== 0) throw new Error(`yardstick: ${remote.join(" ")} on ${router}: exit ${r.code} ${r.stderr.trim()}`);
    return r;
  }

  async closeAll(routers: string[]) {
    for (const r of routers) {
      const argv = await this.argv(r, []);
      await new Promise((res) => spawn(argv[0]!, ["-O", "exit", ...argv.slice(1)], { stdio: "ignore" }).on("close", res));
    }
  }
}

/** A tar stream of the files (modes kept, owned by root), made locally, untimed. */
async function tarOf(dir: string, files: RenderedFile[]): Promise<Buffer> {
  const stage = mkdtempSync(path.join(dir, "t-"));
  for (const f of files) {
    mkdirSync(path.join(stage, path.dirname(f.path)), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(stage, f.path), f.content, { mode: f.mode });
  }
  const out = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const child = spawn("tar", ["-c", "--no-recursion", "--owner=0", "--group=0", "-C", stage, ...files.map((f) => f.path.slice(1))]);
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`tar exit ${code}`))));
  });
  rmSync(stage, { recursive: true, force: true });
  return out;
}

const UNTAR = ["tar", "-x", "-p", "-C", "/"];

/** Runs a step and adds the routers' CPU time it took to `into[step]` (steps that repeat add up). */
function cpuMarker(world: BenchWorld, into: Record<string, number>) {
  return async (step: string, fn: () => Promise<unknown>) => {
    const before = await routerCpuMs(world);
    await fn();
    into[step] = (into[step] ?? 0) + (await routerCpuMs(world)) - before;
  };
}

/** Every process's parent and CPU ticks (utime + stime + cutime + cstime), from /proc. */
function readProcStats(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    out.set(Number(name), parseProcStat(text));
  }
  return out;
}

/**
 * CPU time (ms) of every router's daemons and everything under them: each live process's
 * own time plus what it reaped (utime, stime, cutime, cstime), summed over the trees
 * rooted at the daemons. A session's commands are counted when they run, not only when
 * the session ends and sshd reaps it.
 */
async function routerCpuMs(world: BenchWorld): Promise<number> {
  const { labStatus } = await import("@/e2e/lab/lab");
  const roots = labStatus(world.lab).flatMap((s) => [s.sshd, s.charon].filter((p): p is number => !!p));
  return (treeTicks(readProcStats(), roots) * 1000) / CLK_TCK;
}

type Roles = { hub: string; hubEnds: RenderableEnd[]; spokes: [string, RenderableEnd[]][] };

function roles(world: BenchWorld): Roles {
  const byRouter = [...endsByRouter(world)].sort((x, y) => y[1].length - x[1].length);
  const [hub, hubEnds] = byRouter[0]!;
  return { hub, hubEnds, spokes: byRouter.slice(1) };
}

async function platformOf(e: RenderableEnd) {
  const { getPlatform } = await import("@/lib/platforms");
  return getPlatform(e.platform);
}

/** The steps of one router's part, as shell-free argv runs; `timed` adds each run's time to a step. */
async function deploySteps(ssh: Ssh, dir: string, world: BenchWorld, time: (step: string, ms: number) => void) {
  const { renderGatewayFiles } = await import("@/lib/platforms/gateway-files");
  const { pingArgv } = await import("@/lib/deploy/verify");
  const p = await platformOf(roles(world).hubEnds[0]!);
  const load = async (router: string, ends: RenderableEnd[], initiate: boolean, step: string) => {
    const tar = await tarOf(
      dir,
      renderGatewayFiles(
        p,
        ends.map((e) => e.end),
      ),
    );
    let ms = (await ssh.must(router, UNTAR, tar)).ms;
    const ran = new Set<string>();
    for (const e of ends)
      for (const c of p.applyCommands(e.end)) {
        if (c.needsPeer && !initiate) continue;
        if (c.scope === "router" && ran.has(c.argv.join(" "))) continue;
        ran.add(c.argv.join(" "));
        const r = await ssh.run(router, c.argv);
        if (r.code !== 0 && !c.allowFailure) throw new Error(`yardstick: ${c.argv.join(" ")} on ${router}: ${r.stderr.trim()}`);
        ms += r.ms;
      }
    time(step, ms);
  };
  const verify = async (router: string, e: RenderableEnd) => {
    let ms = 0;
    for (const c of p.statusCommands(e.end)) ms += (await ssh.must(router, c.argv)).ms;
    return ms;
  };
  const ping = async (router: string, e: RenderableEnd) => (await ssh.must(router, pingArgv(e.end) ?? ["true"])).ms;
  return { load, verify, ping };
}

async function connect(ssh: Ssh, router: string) {
  return (await ssh.must(router, ["true"])).ms;
}

async function listUntilNew(ssh: Ssh, router: string, argv: string[], before: string, tunnels: number) {
  const spis = (out: string) =>
    [...out.matchAll(/state=ESTABLISHED [^{]*?initiator-spi=(\w+) responder-spi=(\w+)/g)].map((m) => `${m[1]}_${m[2]}`);
  const old = new Set(spis(before));
  const t0 = performance.now();
  for (;;) {
    const r = await ssh.must(router, argv);
    const fresh = spis(r.stdout).filter((s) => !old.has(s)).length;
    const installed = (r.stdout.match(/state=INSTALLED/g) ?? []).length;
    if (fresh >= tunnels && installed >= tunnels) return performance.now() - t0;
    if (performance.now() - t0 > 30_000) throw new Error(`yardstick: no new IKE SA on ${router} after 30 s`);
  }
}

async function rotateSteps(ssh: Ssh, dir: string, world: BenchWorld, psks: Map<string, string>) {
  const p = await platformOf(roles(world).hubEnds[0]!);
  const secrets = (ends: RenderableEnd[]) =>
    ends.flatMap((e) =>
      p
        .render({ ...e.end, psk: psks.get(e.end.tunnelId)! })
        .filter((f) => f.secret)
        .map((f) => ({ ...f, mode: 0o600 })),
    );
  const list = p.saListCommands(roles(world).hubEnds[0]!.end)[0]!.argv;
  /** Secrets in, SAs listed (the hub: its listing holds every tunnel's SPIs), keys loaded; returns the listing and the time. */
  const load = async (router: string, ends: RenderableEnd[], listBefore: boolean) => {
    let ms = (await ssh.must(router, UNTAR, await tarOf(dir, secrets(ends)))).ms;
    const before = listBefore ? await ssh.must(router, list) : { ms: 0, stdout: "" };
    ms += before.ms;
    for (const c of p.keySwitch.load(ends[0]!.end)) ms += (await ssh.must(router, c.argv)).ms;
    return { ms, before: before.stdout };
  };
  const reauth = async (router: string, e: RenderableEnd) => {
    let ms = 0;
    for (const c of p.keySwitch.reauthenticate(e.end)) ms += (await ssh.must(router, c.argv)).ms;
    return ms;
  };
  return { load, reauth, list };
}

/** Both bounds for a deploy of every tunnel (routers reset first) and then a rotation of every tunnel. */
export async function measureYardstick(world: BenchWorld, routerCores: number): Promise<{ deploy: Yardstick; rotate: Yardstick }> {
  const { pingArgv } = await import("@/lib/deploy/verify");
  const dir = mkdtempSync(path.join(tmpdir(), "gwb-yard-"));
  const ssh = new Ssh(world, dir);
  const { hub, hubEnds, spokes } = roles(world);
  const routers = [hub, ...spokes.map(([n]) => n)];
  const result = (cp: Bound, cpuMs: number, cpuSteps: Record<string, number>): Yardstick => {
    const cpu = { ms: cpuMs / routerCores, steps: cpuSteps, cpuMs, cores: routerCores };
    return { criticalPath: cp, routerCpu: cpu, ms: Math.max(cp.ms, cpu.ms), bound: cp.ms >= cpu.ms ? "critical path" : "router CPU" };
  };
  try {
    // ---- deploy (a): one tunnel's chain on idle routers.
    await resetRouters(world);
    const cp: Record<string, number> = {};
    const add = (step: string, ms: number) => (cp[step] = (cp[step] ?? 0) + ms);
    const d = await deploySteps(ssh, dir, world, add);
    const [spoke, spokeEnds] = spokes[0]!;
    const peer = hubEnds.find((e) => e.end.tunnelId === spokeEnds[0]!.end.tunnelId)!;
    add("connect to the hub", await connect(ssh, hub));
    await connect(ssh, spoke); // opened meanwhile in a real run: not on the path
    await d.load(hub, hubEnds, false, "hub: files in, loaded");
    await d.load(spoke, spokeEnds, true, "spoke: files in, loaded, initiated");
    add("both ends verified", Math.max(await d.verify(hub, peer), await d.verify(spoke, spokeEnds[0]!)));
    add("ping", await d.ping(spoke, spokeEnds[0]!));
    const deployCp = { ms: Object.values(cp).reduce((a, b) => a + b, 0), steps: cp };

    // ---- deploy (b): every step of the fleet deploy, one after another, router CPU counted.
    await ssh.closeAll(routers);
    await resetRouters(world);
    const cpuSteps: Record<string, number> = {};
    const cpu0 = await routerCpuMs(world);
    const mark = cpuMarker(world, cpuSteps);
    const quiet = () => undefined;
    const d2 = await deploySteps(ssh, dir, world, quiet);
    await mark("hub: files in, loaded", () => d2.load(hub, hubEnds, false, ""));
    for (const [n, ends] of spokes) await mark("spokes: files in, loaded, initiated", () => d2.load(n, ends, true, ""));
    await mark("verify every end", async () => {
      await d2.verify(hub, hubEnds[0]!);
      for (const [n, ends] of spokes) await d2.verify(n, ends[0]!);
    });
    await mark("pings", async () => {
      for (const [n, ends] of spokes) await d2.ping(n, ends[0]!);
    });
    await ssh.closeAll(routers);
    await new Promise((r) => setTimeout(r, 300)); // sshd reaps its sessions: their CPU moves into its cutime
    const deploy = result(deployCp, (await routerCpuMs(world)) - cpu0, cpuSteps);

    // ---- rotate (a): one tunnel, every tunnel up (the fleet deploy above).
    const psks = await freshPsks(world);
    const r = await rotateSteps(ssh, dir, world, psks);
    const rcp: Record<string, number> = {};
    rcp["connect to the hub"] = await connect(ssh, hub);
    await connect(ssh, spoke);
    const h = await r.load(hub, hubEnds, true);
    rcp["hub: secrets in, SAs listed, keys loaded"] = h.ms;
    const s = await r.load(spoke, spokeEnds, false);
    rcp["spoke: secret in, loaded, reauthenticated"] = s.ms + (await r.reauth(spoke, spokeEnds[0]!));
    // The spoke lists until the new IKE SA (SPIs not in the hub's listing before), then the hub lists it once.
    rcp["new IKE SA listed on both ends"] = (await listUntilNew(ssh, spoke, r.list, h.before, 1)) + (await ssh.must(hub, r.list)).ms;
    rcp.ping = (await ssh.must(spoke, pingArgv(spokeEnds[0]!.end) ?? ["true"])).ms;
    const rotateCp = { ms: Object.values(rcp).reduce((a, b) => a + b, 0), steps: rcp };

    // ---- rotate (b): every step of the fleet rotation, one after another.
    await ssh.closeAll(routers);
    const psks2 = await freshPsks(world);
    const r2 = await rotateSteps(ssh, dir, world, psks2);
    const rcpu: Record<string, number> = {};
    const rc0 = await routerCpuMs(world);
    const mark2 = cpuMarker(world, rcpu);
    let hubBefore = "";
    await mark2("hub: secrets in, SAs listed, keys loaded", async () => (hubBefore = (await r2.load(hub, hubEnds, true)).before));
    for (const [n, ends] of spokes)
      await mark2("spokes: secret in, loaded, reauthenticated", async () => {
        await r2.load(n, ends, false);
        await r2.reauth(n, ends[0]!);
      });
    await mark2("new IKE SAs listed on every end", async () => {
      await listUntilNew(ssh, hub, r2.list, hubBefore, hubEnds.length);
      for (const [n] of spokes) await listUntilNew(ssh, n, r2.list, hubBefore, 1);
    });
    await mark2("pings", async () => {
      for (const [n, ends] of spokes) await ssh.must(n, pingArgv(ends[0]!.end) ?? ["true"]);
    });
    await ssh.closeAll(routers);
    await new Promise((res) => setTimeout(res, 300));
    const rotate = result(rotateCp, (await routerCpuMs(world)) - rc0, rcpu);
    return { deploy, rotate };
  } finally {
    await ssh.closeAll(routers).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
