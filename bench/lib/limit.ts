// The "limit": the slowest single gateway's share of an operation, done ALONE — its
// exact steps replayed through Gatewarden's own code over one SSH session, with every
// other router already prepared (locally, untimed) so nothing waits on them and no other
// gateway work runs. For a hub-and-spoke fleet that gateway is the hub:
//   deploy:  connect, read, back up, upload its 2N files, `swanctl --load-all` once,
//            N × `swanctl --initiate`, status until all N CHILD SAs are installed, N LAN
//            pings through the tunnels (4 at once on the session) — GatewayWork, as the job does;
//            the spokes' files are in place and loaded beforehand.
//   rotate:  per tunnel, one after another (the hub is in one tunnel's rotation at a
//            time, as in the rotate job): list SAs, upload the new secret file,
//            `swanctl --load-creds`, `swanctl --rekey --ike <conn> --reauth`, list SAs
//            until a new IKE SA, LAN ping; the spokes already hold and loaded the new key.
//   health:  one gateway's poller visit (status commands + its probes, 4 channels on
//            one session), for the hub and one spoke; the slower one.
// Also the cost of one SSH command on the hub (what bounds everything above).
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import { mapBounded } from "@/lib/deploy/bounded";
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
    const r = await execInRouter(world.lab, router, ["sh", "-c", `umask 077; cat > "$0" && chmod ${f.mode.toString(8)} "$0"`, f.path], { input: f.content });
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

export async function measureDeployLimit(world: BenchWorld): Promise<{ ms: number; breakdown: Breakdown }> {
  const { getPlatform } = await import("@/lib/platforms");
  const { GatewayWork } = await import("@/lib/deploy/gateway-work");
  const { waitFor, pingThroughTunnel } = await import("@/lib/deploy/verify");
  await resetRouters(world);
  const hub = await hubOf(world);
  const platform = getPlatform(hub.ends[0]!.platform);
  await mapBounded([...endsByRouter(world)].filter(([n]) => n !== hub.name), 8, ([n, ends]) =>
    writeLocally(world, n, ends.flatMap((e) => platform.render(e.end)), ["swanctl", "--load-all"]),
  );
  const p = phases();
  const t0 = performance.now();
  const w = new GatewayWork(hub.ends[0]!.gatewayId, hub.ends[0]!.gatewayName, hub.ends, new Map(hub.ends.map((e) => [e.end.tunnelId, platform.render(e.end)])), []);
  w.io = await p.time("connect", () => connect(world, hub.ends[0]!));
  try {
    await p.time("read", () => w.readCurrent());
    await p.time("back up", () => w.backUp("bench-limit"));
    await p.time("upload", () => w.upload());
    const ran = new Set<string>();
    await p.time("apply", async () => {
      for (const e of hub.ends) await w.applyEnd(e, quiet, ran, false);
    });
    const checks = await p.time("status until up", () => waitFor(() => w.check(hub.ends), (m) => [...m.values()].every((c) => c.ok), 20_000));
    if (![...checks.values()].every((c) => c.ok)) throw new Error("limit deploy: not every tunnel came up on the hub");
    // As the deploy job does: 4 channels at once on the one session (sshd MaxSessions is 10).
    const pings = await p.time("pings", () => mapBounded(hub.ends, 4, (e) => waitFor(() => pingThroughTunnel(w.io!, e.end), (x) => x.ok, 10_000, 1000)));
    if (!pings.every((x) => x.ok)) throw new Error("limit deploy: a ping through a tunnel failed");
    return { ms: performance.now() - t0, breakdown: p.b };
  } finally {
    await w.io.close();
  }
}

/** Needs the tunnels up (run after measureDeployLimit). */
export async function measureRotateLimit(world: BenchWorld): Promise<{ ms: number; breakdown: Breakdown }> {
  const { getPlatform } = await import("@/lib/platforms");
  const { runCommands } = await import("@/lib/deploy/run-commands");
  const { waitFor, pingThroughTunnel } = await import("@/lib/deploy/verify");
  const { parseListSas } = await import("@/lib/platforms/strongswan/parse-list-sas");
  const { findNewIkeSa, snapshotSas, tunnelIkeSas } = await import("@/lib/rotation/key-switch");
  const hub = await hubOf(world);
  const platform = getPlatform(hub.ends[0]!.platform);
  const psks = await freshPsks(world);
  const secretFiles = (e: RenderableEnd) => platform.render({ ...e.end, psk: psks.get(e.end.tunnelId)! }).filter((f) => f.secret).map((f) => ({ ...f, mode: 0o600 }));
  await mapBounded([...endsByRouter(world)].filter(([n]) => n !== hub.name), 8, ([n, ends]) => writeLocally(world, n, ends.flatMap(secretFiles), ["swanctl", "--load-creds"]));
  const p = phases();
  const t0 = performance.now();
  const io = await p.time("connect", () => connect(world, hub.ends[0]!));
  try {
    const sas = async (e: RenderableEnd) => tunnelIkeSas(parseListSas((await io.exec(["swanctl", "--list-sas"], { timeoutMs: 15_000 })).stdout), e.end.remote.publicIp);
    for (const e of hub.ends) {
      const before = snapshotSas(await p.time("list SAs before", () => sas(e)));
      await p.time("upload secret", async () => {
        for (const f of secretFiles(e)) await io.uploadFile(f);
      });
      const switchedAt = Date.now();
      await p.time("load-creds + reauth", () => runCommands(io, e.gatewayName, platform.rotateCommands(e.end), quiet));
      const proof = await p.time("list SAs until new SA", () => waitFor(async () => findNewIkeSa(await sas(e), before, (Date.now() - switchedAt) / 1000), (x) => x.ok, 20_000, 300));
      if (!proof.ok) throw new Error(`limit rotate: ${proof.detail}`);
      const ping = await p.time("ping", () => waitFor(() => pingThroughTunnel(io, e.end), (x) => x.ok, 10_000, 500));
      if (!ping.ok) throw new Error(`limit rotate: ${ping.summary}`);
    }
    return { ms: performance.now() - t0, breakdown: p.b };
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
  const hub = await hubOf(world);
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
    const listSasMs = await each(() => io.exec(["swanctl", "--list-sas"], { timeoutMs: 15_000 }));
    const uploadMs = await each(() => io.uploadFile({ path: "/var/lib/gatewarden/bench-probe", content: "x".repeat(600), mode: 0o600 }));
    await io.removeFile("/var/lib/gatewarden/bench-probe");
    return { connectMs, trueMs, listSasMs, uploadMs };
  } finally {
    await io.close();
  }
}
