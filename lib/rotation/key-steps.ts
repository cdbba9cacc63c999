// The router-side steps of a rotation, shared by the rotation, its revert and crash
// recovery: upload one key version's secret files, switch both ends to the key on
// disk (planKeySwitch), and prove a new IKE SA plus LAN traffic on both ends.
import "server-only";
import { getPlatform } from "@/lib/platforms";
import type { IkeSa, TunnelEnd } from "@/lib/platforms/contract";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { RouterIO } from "@/lib/deploy/router-io";
import { runCommands } from "@/lib/deploy/run-commands";
import { checkEnd, pingThroughTunnel, waitFor } from "@/lib/deploy/verify";
import { recordEndPskVersion } from "@/lib/db/rotation";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { findNewIkeSa, planKeySwitch, snapshotSas, type SaSnapshot, type SwitchEnd } from "@/lib/rotation/key-switch";
import type { EndRole } from "@/lib/rotation/rotation-state";

export const VERIFY_TIMEOUT_MS = 20_000;

/** Both ends of one tunnel as a rotation sees them, with a way to reach each router. */
export type TunnelWork = {
  tunnelId: string;
  label: string;
  ends: readonly [RenderableEnd, RenderableEnd];
  io(end: RenderableEnd): Promise<RouterIO>;
};

type Ctx = JobContext<unknown>;

const logFor = (ctx: Ctx, end: RenderableEnd) => (level: "info" | "warn" | "error", m: string) => ctx.log(level, m, end.gatewayName);

/** Uploads the end's secret files (the key it is rendered with) as 0600; returns their paths. */
export async function writeSecretFiles(io: RouterIO, end: RenderableEnd): Promise<string[]> {
  const files = getPlatform(end.platform).render(end.end).filter((f) => f.secret);
  if (!files.length) throw new Error(`${end.platform} renders no secret file`);
  for (const f of files) await io.uploadFile({ path: f.path, content: f.content, mode: 0o600 });
  return files.map((f) => f.path);
}

/** Writes this version's secret files (0600) to one end and records that the router holds it. */
export async function uploadKeyFiles(ctx: Ctx, w: TunnelWork, end: RenderableEnd, version: number, what: string): Promise<void> {
  await ctx.step(`${w.label}: upload ${what} (v${version}) to ${end.gatewayName}`, end.gatewayId, async () => {
    const files = await writeSecretFiles(await w.io(end), end);
    await recordEndPskVersion(w.tunnelId, end.role, version);
    await ctx.log("info", `${files.join(", ")} now hold key v${version}`, end.gatewayName);
  });
}

/** One listing of a router's SAs (its platform's SA commands, run once), read per tunnel. */
export type SaListing = {
  /** This tunnel's IKE SAs, or null when the router cannot list SAs (or the listing failed). */
  sasOf(end: TunnelEnd): IkeSa[] | null;
};

export async function listRouterSas(io: RouterIO, end: RenderableEnd, timeoutMs = 15_000): Promise<SaListing> {
  const platform = getPlatform(end.platform);
  const commands = platform.saListCommands(end.end);
  if (!commands.length) return { sasOf: () => null };
  const results = await Promise.all(commands.map((c) => io.exec(c.argv, { timeoutMs }).then((r) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode }))));
  return { sasOf: (e) => platform.parseSaList(e, results) };
}

/** This tunnel's IKE SAs on one end's router, or null (see listRouterSas). */
async function listTunnelSas(io: RouterIO, end: RenderableEnd) {
  return (await listRouterSas(io, end)).sasOf(end.end);
}

export const switchEndOf = (e: RenderableEnd): SwitchEnd => ({ role: e.role, platform: getPlatform(e.platform), end: e.end });

export async function snapshotBoth(w: TunnelWork): Promise<Record<EndRole, SaSnapshot>> {
  const [a, b] = await Promise.all(w.ends.map(async (e) => snapshotSas((await listTunnelSas(await w.io(e), e)) ?? [])));
  return { a: a!, b: b! };
}

/** Runs both ends' rotate commands in planKeySwitch's order; `onStart` fires before the first. */
export async function switchKeys(ctx: Ctx, w: TunnelWork, onStart: () => void): Promise<void> {
  const byRole = (r: EndRole) => w.ends.find((e) => e.role === r)!;
  const plan = planKeySwitch(switchEndOf(w.ends[0]), switchEndOf(w.ends[1]));
  onStart();
  for (const op of plan) {
    const end = byRole(op.role);
    if (!op.commands.length) continue;
    await ctx.step(`${w.label}: ${op.why} on ${end.gatewayName}`, end.gatewayId, async () => {
      await runCommands(await w.io(end), end.gatewayName, op.commands, logFor(ctx, end), { peerPending: op.peerPending });
    });
  }
}

/**
 * Both ends show an IKE SA that did not exist before the switch (so it authenticated
 * with the key now on disk) with an installed CHILD SA, and LAN pings cross it.
 */
export async function verifyNewSa(ctx: Ctx, w: TunnelWork, before: Record<EndRole, SaSnapshot>, switchedAt: number): Promise<string[]> {
  const proofs = await Promise.all(
    w.ends.map((end) =>
      ctx.step(`${w.label}: verify a new IKE SA on ${end.gatewayName}`, end.gatewayId, async () => {
        const io = await w.io(end);
        const result = await waitFor(
          async () => {
            const sas = await listTunnelSas(io, end);
            if (sas === null) {
              // The router cannot list SAs: its platform's status is the proof it has.
              const check = await checkEnd(io, getPlatform(end.platform), end.end);
              return check.ok ? { ok: true as const, detail: `${check.reason} (the router cannot list SAs)` } : { ok: false as const, detail: check.reason };
            }
            return findNewIkeSa(sas, before[end.role], (Date.now() - switchedAt) / 1000);
          },
          (p) => p.ok,
          VERIFY_TIMEOUT_MS,
          300,
        );
        await ctx.log(result.ok ? "info" : "error", result.detail, end.gatewayName);
        if (!result.ok) throw new JobFailure(`${end.gatewayName}: no new IKE SA within ${VERIFY_TIMEOUT_MS / 1000} s (${result.detail})`);
        return `${end.gatewayName}: ${result.detail}`;
      }),
    ),
  );
  await verifyTraffic(ctx, w);
  return proofs;
}

/** LAN address to LAN address through the tunnel (net-to-net); nothing to do for host-to-host. */
export async function verifyTraffic(ctx: Ctx, w: TunnelWork): Promise<void> {
  const first = w.ends[0];
  if (first.end.kind !== "net-to-net") return;
  await ctx.step(`${w.label}: ping through the tunnel from ${first.gatewayName}`, first.gatewayId, async () => {
    const io = await w.io(first);
    const ping = await waitFor(() => pingThroughTunnel(io, first.end), (p) => p.ok, 10_000, 500);
    await ctx.log(ping.ok ? "info" : "error", ping.summary, first.gatewayName);
    if (!ping.ok) throw new JobFailure(`${first.gatewayName}: no answer through the tunnel (${ping.summary})`);
  });
}

/** The tunnel as it runs now is up on both ends (no new SA required): used when no key switch began. */
export async function verifyStillUp(ctx: Ctx, w: TunnelWork): Promise<void> {
  await Promise.all(
    w.ends.map((end) =>
      ctx.step(`${w.label}: check the tunnel on ${end.gatewayName}`, end.gatewayId, async () => {
        const check = await waitFor(async () => checkEnd(await w.io(end), getPlatform(end.platform), end.end), (c) => c.ok, VERIFY_TIMEOUT_MS);
        if (!check.ok) throw new JobFailure(`${end.gatewayName}: the tunnel is not up (${check.reason})`);
      }),
    ),
  );
  await verifyTraffic(ctx, w);
}
