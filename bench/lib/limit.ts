// The "limit": the slowest single gateway's share of an operation, done ALONE — its
// exact steps replayed through Gatewarden's own code over one SSH session, with every
// other router already prepared (locally, untimed) so nothing waits on them and no other
// gateway work runs. For a hub-and-spoke fleet that gateway is the hub:
// The job gives the hub what is per router and the spokes what is per tunnel, so the
// slowest gateway may be either: both shares are measured, the limit is the slower.
//   deploy:  hub: connect, read, back up, upload its 2N files, `swanctl --load-all`
//            once, status until all N CHILD SAs are installed (spokes loaded before).
//            spoke: the same for its 2 files, plus `--initiate` and its LAN ping.
//   rotate:  hub: upload N secret files, list SAs, `--load-creds` once, the listing
//            that shows the N new IKE SAs (the spokes' reauths it waits for: untimed).
//            spoke: upload, list SAs, `--load-creds`, `--rekey --reauth`, list SAs
//            until the new IKE SA, LAN ping (the hub already loaded the new key).
//   health:  one gateway's poller visit (status commands + its probes, 4 channels on
//            one session), for the hub and one spoke; the slower one.
// Also the cost of one SSH command on the hub (what bounds everything above).
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import { mapBounded } from "@/lib/jobs/concurrency";
import { endsByRouter, resetRouters, type BenchWorld } from "./lab-app";
import { freshPsks } from "./ansible-ops";
import { median } from "./stats";

const quiet = async () => undefined;

/** Where the limit's time goes: milliseconds summed per named phase. */
export type Breakdown = Record<string, number>;
function phases() {
  const b: Breakdown = {};
  return {
    b,
    async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const t = performance.now();
      try {
        return await fn();
      } finally {
        b[name] = (b[name] ?? 0) + (performance.now() - t);
      }
    },
  };
}

async function writeLocally(world: BenchWorld, router: string, files: { path: string; content: string; mode: number }[], then: string[]) {
  const { execInRouter } = await import("@/e2e/lab/lab");
  for (const f of files) {
    const r = await execInRouter(world.lab, router, ["sh", "-c", `umask 077; cat > "$0" && chmod ${f.mode.toString(8)} "$0"`, f.path], {
      input: f.content,
    });
    if (r.code !== 0) throw new Error(`limit: writing ${f.path} on ${router}: ${r.stderr}`);
  }
  const r = await execInRouter(world.lab, router, then, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`limit: ${then.join(" ")} on ${router}: ${r.stderr}`);
}

async function hubOf(world: BenchWorld): Promise<{ name: string; ends: RenderableEnd[] }> {
  const byRouter = endsByRouter(world);
  const [name, ends] = [...byRouter].sort((x, y) => y[1].length - x[1].length)[0]!;
  return { name, ends };
}

async function connect(world: BenchWorld, end: RenderableEnd): Promise<RouterIO> {
  const { connectGateway } = await import("@/lib/deploy/connect");
  return connectGateway(end.gatewayId);
}

export type Limit = { ms: number; breakdown: Breakdown; hubMs: number; spokeMs: number; gateway: string };

function slower(hub: { ms: number; breakdown: Breakdown }, spoke: { ms: number; breakdown: Breakdown }, spokeName: string): Limit {
  const h = hub.ms >= spoke.ms;
  return {
    ms: Math.max(hub.ms, spoke.ms),
    breakdown: h ? hub.breakdown : spoke.breakdown,
    hubMs: hub.ms,
    spokeMs: spoke.ms,
    gateway: h ? "the hub" : `a spoke (${spokeName})`,
  };
}

const spokeOf = (world: BenchWorld, hubName: string) => [...endsByRouter(world)].find(([n]) => n !== hubName)!;

/** One router's deploy share as the job does it (GatewayWork), timed; `peerNext` as in the job's first round. */
async function deployShare(
  world: BenchWorld,
  ends: RenderableEnd[],
  peerNext: boolean,
  ping: boolean,
  /** Started (untimed work elsewhere) once this router's ends are applied, as the job's next round does. */
  afterApply?: () => Promise<void>,
) {
  const { getPlatform } = await import("@/lib/platforms");
  const { GatewayWork } = await import("@/lib/deploy/gateway-work");
  const { waitFor, pingThroughTunnel } = await import("@/lib/deploy/verify");
  const platform = getPlatform(ends[0]!.platform);
  const p = phases();
  const t0 = performance.now();
  const w = new GatewayWork(
    ends[0]!.gatewayId,
    ends[0]!.gatewayName,
    ends,
    new Map(ends.map((e) => [e.end.tunnelId, platform.render(e.end)])),
    [],
  );
  w.io = await p.time("connect", () => connect(world, ends[0]!));
  try {
    await p.time("read", () => w.readCurrent());
    await p.time("back up", () => w.backUp("bench-limit"));
    await p.time("upload", () => w.upload());
    const ran = new Set<string>();
    await p.time("apply", async () => {
      for (const e of ends) await w.applyEnd(e, quiet, ran, peerNext);
    });
    const peers = afterApply?.();
    const checks = await p.time("status until up", () =>
      waitFor(
        () => w.check(ends),
        (m) => [...m.values()].every((c) => c.ok),
        30_000,
      ),
    );
    await peers;
    const down = [...checks.values()].filter((c) => !c.ok);
    if (down.length)
      throw new Error(`limit deploy: ${down.length} tunnel(s) did not come up on ${w.name}: ${down.map((c) => c.reason).join("; ")}`);
    if (ping) {
      // As the deploy job does: 4 channels at once on the one session (sshd MaxSessions is 10).
      const pings = await p.time("pings", () =>
        mapBounded(ends, 4, (e) =>
          waitFor(
            () => pingThroughTunnel(w.io!, e.end),
            (x) => x.ok,
            10_000,
            1000,
          ),
        ),
      );
      if (!pings.every((x) => x.ok)) throw new Error("limit deploy: a ping through a tunnel failed");
    }
    return { ms: performance.now() - t0, breakdown: p.b };
  } finally {
    await w.io.close();
  }
}

/**
 * The hub's share: its files, one `swanctl --load-all` (nothing initiated: applied
 * first), status until its N CHILD SAs are installed; the spokes' files loaded
 * beforehand, and their initiations started (untimed) once the hub has loaded, since the
 * hub only answers. A spoke's share: its files, load + initiate, status, its LAN ping;
 * the hub already configured.
 */
export async function measureDeployLimit(world: BenchWorld): Promise<Limit> {
  const { getPlatform } = await import("@/lib/platforms");
  const { execInRouter } = await import("@/e2e/lab/lab");
  const { initiateAgainCommands } = await import("@/lib/deploy/fleet-plan");
  await resetRouters(world);
  const hub = await hubOf(world);
  const platform = getPlatform(hub.ends[0]!.platform);
  await mapBounded(
    [...endsByRouter(world)].filter(([n]) => n !== hub.name),
    8,
    ([n, ends]) =>
      writeLocally(
        world,
        n,
        ends.flatMap((e) => platform.render(e.end)),
        ["swanctl", "--load-all"],
      ),
  );
  // The hub only answers (issue 16 item 4): its tunnels come up when the spokes initiate, as
  // the job's second round has them do right after the hub's load; run here locally, untimed.
  const spokesInitiate = () =>
    mapBounded(
      [...endsByRouter(world)].filter(([n]) => n !== hub.name),
      8,
      async ([n, ends]) => {
        for (const e of ends) {
          // Loading the files initiated in vain (the hub had no configuration yet): start again, as the job's verify does.
          for (const c of initiateAgainCommands(platform, e.end)) {
            const r = await execInRouter(world.lab, n, c.argv, { timeoutMs: 60_000 });
            if (r.code !== 0) throw new Error(`limit: ${c.argv.join(" ")} on ${n}: ${r.stderr}`);
          }
        }
      },
    ).then(() => undefined);
  const hubShare = await deployShare(world, hub.ends, true, false, spokesInitiate);
  const [spoke, spokeEnds] = spokeOf(world, hub.name);
  await resetRouters(world, [spoke]);
  const spokeShare = await deployShare(world, spokeEnds, false, true);
  return slower(hubShare, spokeShare, spoke);
}

/**
 * Needs the tunnels up (run after measureDeployLimit). The hub's share: upload its N
 * new secret files, list SAs, `swanctl --load-creds` once, and the listing that finds
 * the N new IKE SAs — the spokes' reauthentications it waits for in the job are
 * triggered locally, untimed. A spoke's share: upload its secret, list SAs,
 * `--load-creds`, `--rekey --reauth`, list SAs until the new IKE SA, LAN ping; the hub
 * already holding and having loaded the new key.
 */
export async function measureRotateLimit(world: BenchWorld): Promise<Limit> {
  const { getPlatform } = await import("@/lib/platforms");
  const { runCommands } = await import("@/lib/deploy/run-commands");
  const { waitFor, pingThroughTunnel } = await import("@/lib/deploy/verify");
  const { listRouterSas } = await import("@/lib/rotation/key-steps");
  const { findNewIkeSa, snapshotSas } = await import("@/lib/rotation/key-switch");
  const { execInRouter } = await import("@/e2e/lab/lab");
  const hub = await hubOf(world);
  const platform = getPlatform(hub.ends[0]!.platform);
  const byRouter = [...endsByRouter(world)].filter(([n]) => n !== hub.name);
  // The router's SA listing as the rotation job reads it: the platform's commands, once, read per tunnel.
  const listAll = (io: RouterIO, e: RenderableEnd) => listRouterSas(io, e, 15_000);
  const tunnelSas = (listing: Awaited<ReturnType<typeof listAll>>, e: RenderableEnd) => listing.sasOf(e.end) ?? [];
  const reauthArgv = (e: RenderableEnd) => platform.keySwitch.reauthenticate(e.end);

  // The hub's share.
  let psks = await freshPsks(world);
  const secretFiles = (e: RenderableEnd) =>
    platform
      .render({ ...e.end, psk: psks.get(e.end.tunnelId)! })
      .filter((f) => f.secret)
      .map((f) => ({ ...f, mode: 0o600 }));
  await mapBounded(byRouter, 8, ([n, ends]) => writeLocally(world, n, ends.flatMap(secretFiles), ["swanctl", "--load-creds"]));
  const hp = phases();
  let io = await hp.time("connect", () => connect(world, hub.ends[0]!));
  let hubMs = 0;
  try {
    let t0 = performance.now();
    await hp.time("upload secrets", async () => {
      for (const e of hub.ends) for (const f of secretFiles(e)) await io.uploadFile(f);
    });
    const all = await hp.time("list SAs before", () => listAll(io, hub.ends[0]!));
    const before = new Map(hub.ends.map((e) => [e.end.tunnelId, snapshotSas(tunnelSas(all, e))]));
    await hp.time("load-creds", () => runCommands(io, hub.name, [{ argv: ["swanctl", "--load-creds"], description: "" }], quiet));
    hubMs += performance.now() - t0;
    // Untimed: the spokes reauthenticate (in the job they do, in parallel), then the new SAs settle.
    const switchedAt = Date.now();
    await mapBounded(byRouter, 8, ([n, ends]) => execInRouter(world.lab, n, reauthArgv(ends[0]!)[0]!.argv, { timeoutMs: 30_000 }));
    await waitFor(
      async () => {
        const now = await listAll(io, hub.ends[0]!);
        return hub.ends.every((e) => findNewIkeSa(tunnelSas(now, e), before.get(e.end.tunnelId)!, (Date.now() - switchedAt) / 1000).ok);
      },
      (ok) => ok,
      30_000,
      300,
    );
    t0 = performance.now();
    const after = await hp.time("list SAs: the new ones", () => listAll(io, hub.ends[0]!));
    hubMs += performance.now() - t0;
    const missing = hub.ends.filter(
      (e) => !findNewIkeSa(tunnelSas(after, e), before.get(e.end.tunnelId)!, (Date.now() - switchedAt) / 1000).ok,
    );
    if (missing.length) throw new Error(`limit rotate: ${missing.length} tunnel(s) without a new IKE SA on the hub`);
    hubMs += hp.b.connect!;
  } finally {
    await io.close();
  }

  // A spoke's share.
  const [spoke, [end]] = byRouter[0]! as [string, RenderableEnd[]];
  psks = await freshPsks(world);
  const hubEnd = hub.ends.find((e) => e.end.tunnelId === end!.end.tunnelId)!;
  await writeLocally(world, hub.name, secretFiles(hubEnd), ["swanctl", "--load-creds"]);
  const sp = phases();
  const t0 = performance.now();
  io = await sp.time("connect", () => connect(world, end!));
  try {
    await sp.time("upload secret", async () => {
      for (const f of secretFiles(end!)) await io.uploadFile(f);
    });
    const before = snapshotSas(tunnelSas(await sp.time("list SAs before", () => listAll(io, end!)), end!));
    const switchedAt = Date.now();
    await sp.time("load-creds + reauth", () =>
      runCommands(io, spoke, [...platform.keySwitch.load(end!.end), ...platform.keySwitch.reauthenticate(end!.end)], quiet),
    );
    const proof = await sp.time("list SAs until new SA", () =>
      waitFor(
        async () => findNewIkeSa(tunnelSas(await listAll(io, end!), end!), before, (Date.now() - switchedAt) / 1000),
        (x) => x.ok,
        30_000,
        300,
      ),
    );
    if (!proof.ok) throw new Error(`limit rotate: ${proof.detail}`);
    const ping = await sp.time("ping", () =>
      waitFor(
        () => pingThroughTunnel(io, end!.end),
        (x) => x.ok,
        10_000,
        500,
      ),
    );
    if (!ping.ok) throw new Error(`limit rotate: ${ping.summary}`);
    return slower({ ms: hubMs, breakdown: hp.b }, { ms: performance.now() - t0, breakdown: sp.b }, spoke);
  } finally {
    await io.close();
  }
}

/** The poller's visit of one gateway (lib/health/poller.ts visitGatewayOnce), alone, on a new session. */
async function healthVisit(world: BenchWorld, ends: RenderableEnd[]): Promise<number> {
  const { getPlatform } = await import("@/lib/platforms");
  const { probeArgvFor } = await import("@/lib/health/parse-ping");
  const platform = getPlatform(ends[0]!.platform);
  const status = new Map(ends.flatMap((e) => platform.statusCommands(e.end)).map((c) => [c.argv.join("\0"), c.argv]));
  const argvs = [...status.values(), ...ends.filter((e) => e.role === "b").map((e) => probeArgvFor(e.end).argv)];
  const t0 = performance.now();
  const io = await connect(world, ends[0]!);
  try {
    await mapBounded(argvs, 4, (argv) => io.exec(argv, { timeoutMs: 15_000 }));
    return performance.now() - t0;
  } finally {
    await io.close();
  }
}

export async function measureHealthLimit(world: BenchWorld): Promise<{ ms: number; gateway: string }> {
  const byRouter = endsByRouter(world);
  const hub = await hubOf(world);
  const spoke = [...byRouter.keys()].find((n) => n !== hub.name)!;
  const hubMs = await healthVisit(world, hub.ends);
  const spokeMs = await healthVisit(world, byRouter.get(spoke)!);
  return hubMs >= spokeMs ? { ms: hubMs, gateway: hub.name } : { ms: spokeMs, gateway: `${spoke} (a spoke: its probe)` };
}

/** One SSH session to the hub: connect, then 10 × each command, one after another. */
export async function measureHubCommandCost(world: BenchWorld) {
  const { getPlatform } = await import("@/lib/platforms");
  const hub = await hubOf(world);
  const listSas = getPlatform(hub.ends[0]!.platform).saListCommands(hub.ends[0]!.end)[0]!.argv;
  const t0 = performance.now();
  const io = await connect(world, hub.ends[0]!);
  const connectMs = performance.now() - t0;
  const each = async (fn: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return median(xs);
  };
  try {
    const trueMs = await each(() => io.exec(["true"], { timeoutMs: 15_000 }));
    const listSasMs = await each(() => io.exec(listSas, { timeoutMs: 15_000 }));
    const uploadMs = await each(() => io.uploadFile({ path: "/var/lib/gatewarden/bench-probe", content: "x".repeat(600), mode: 0o600 }));
    await io.removeFile("/var/lib/gatewarden/bench-probe");
    return { connectMs, trueMs, listSasMs, uploadMs };
  } finally {
    await io.close();
  }
}
