// Measures how much LAN traffic a PSK rotation interrupts, per platform pair: a ping
// every 10 ms from one site's LAN host to the other's, across the tunnel, while the
// rotation engine switches keys. Builds its own lab ("gwbench-rotate"), database and
// tunnels; prints a table. The integration test reuses startLanPing/lanPingMeter.
//   npx tsx bench/rotation-interruption.ts [--rounds 3]   (an unknown option: the usage, exit code 2)
// Needs root (network namespaces; ping -i 0.01).
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LabState } from "@/e2e/lab/lab";
import type { RenderableEnd } from "@/lib/rendering/tunnel-ends";
import type { Interruption, RotationHooks } from "@/lib/rotation/rotation-outcome";

export type LanPing = { stop(): Promise<Interruption> };

/**
 * Starts `ping -i <interval>` in a site's LAN host namespace. stop() lets the last
 * replies arrive, interrupts ping and counts the sequence numbers that never got a
 * reply (up to the last one answered: packets still in flight at the end are not loss).
 */
export function startLanPing(lab: LabState, fromSite: string, toIp: string, intervalMs = 10): Promise<LanPing> {
  const router = lab.routers.find((r) => r.name === fromSite);
  if (!router) throw new Error(`no site ${fromSite} in lab ${lab.name}`);
  const child = spawn(
    "nsenter",
    [`--net=/run/netns/${router.lanHost.netns}`, "ping", "-n", "-D", "-i", (intervalMs / 1000).toFixed(3), "-W", "1", toIp],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const replied = () => [...out.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1]));
  // -D prefixes each reply with its time: the longest silence is the interruption as felt.
  const replyTimes = () => [...out.matchAll(/^\[(\d+\.\d+)\].*icmp_seq=/gm)].map((m) => Number(m[1]) * 1000);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // Wait for the first reply so start-up is never counted as loss.
    const poll = setInterval(() => {
      if (replied().length > 0) {
        clearInterval(poll);
        resolve({
          async stop() {
            await new Promise((r) => setTimeout(r, 300));
            child.kill("SIGINT");
            await exited;
            const seqs = new Set(replied());
            const first = Math.min(...seqs);
            const last = Math.max(...seqs);
            let lost = 0;
            for (let s = first; s <= last; s++) if (!seqs.has(s)) lost++;
            const sent = last - first + 1;
            const times = replyTimes();
            const longestGapMs = Math.round(times.slice(1).reduce((gap, t, i) => Math.max(gap, t - times[i]!), 0));
            return {
              sent,
              received: sent - lost,
              lost,
              intervalMs,
              longestGapMs,
              method: `ping -i ${intervalMs / 1000} ${fromSite} LAN host → ${toIp}`,
            };
          },
        });
      } else if (Date.now() - started > 10_000) {
        clearInterval(poll);
        child.kill("SIGINT");
        reject(new Error(`no ping reply from ${toIp} to ${fromSite}'s LAN host within 10 s: is the tunnel up?`));
      }
    }, 20);
  });
}

/** RotationHooks.measureInterruption for lab gateways registered as `<router>-gw`. */
export function lanPingMeter(lab: LabState, intervalMs = 10): NonNullable<RotationHooks["measureInterruption"]> {
  const routerOf = (end: RenderableEnd) =>
    lab.routers.find((r) => `${r.name}-gw` === end.gatewayName || `lab-${r.name}-gw` === end.gatewayName);
  return async (_tunnelId, ends) => {
    const [a, b] = ends.map(routerOf);
    if (!a || !b) throw new Error(`lanPingMeter: ${ends.map((e) => e.gatewayName).join(", ")} are not routers of lab ${lab.name}`);
    return startLanPing(lab, b.name, a.lanHost.ip, intervalMs);
  };
}

export type BenchRow = { pair: string; losses: number[]; gapsMs: number[] };

export function formatTable(rows: BenchRow[], intervalMs: number): string {
  const lines = [
    `| platforms | rounds | lost packets per rotation (ping every ${intervalMs} ms) | longest gap between replies (ms) |`,
    "|---|---|---|---|",
  ];
  for (const r of rows) lines.push(`| ${r.pair} | ${r.losses.length} | ${r.losses.join(", ")} | ${r.gapsMs.join(", ")} |`);
  return lines.join("\n");
}

export const INTERRUPTION_USAGE = "usage: npx tsx bench/rotation-interruption.ts [--rounds N (3)]";

/** Strict: a misspelt option or a bad count is an Error saying so, not a run of 3 rounds. */
export function parseInterruptionArgs(argv: string[]): { rounds: number } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: { rounds: { type: "string", default: "3" } },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds wants a positive whole number, not "${values.rounds}"`);
  return { rounds };
}

async function main({ rounds }: { rounds: number }) {
  const LAB = "gwbench-rotate";
  const { startLab, stopLab } = await import("@/e2e/lab/lab");
  const { registerLab } = await import("@/e2e/lab/register");
  const { createAdmin, freshAppDatabase } = await import("@/e2e/support/app-db");
  const lab = await startLab({ name: LAB, sites: 4, platforms: ["strongswan", "strongswan", "centos-racoon", "centos-racoon"] });
  try {
    await freshAppDatabase();
    const admin = await createAdmin();
    const { gatewayIds, tunnelIds } = await registerLab(lab, admin, { tunnels: "hub-and-spoke" });
    const { createTunnel } = await import("@/lib/inventory/host-tunnel");
    const { listCryptoProfiles } = await import("@/lib/db/inventory");
    const racoon = (await listCryptoProfiles()).find((p) => p.name === "Modern IKEv1 (racoon)")!;
    const centosPair = await createTunnel(admin, {
      kind: "net-to-net",
      gatewayAId: gatewayIds.get("branch2")!,
      gatewayBId: gatewayIds.get("branch3")!,
      cryptoProfileId: racoon.id,
    });
    const { runTunnelJob, runRotation } = await import("@/lib/rotation/test-support");
    const all = [...tunnelIds, centosPair.tunnelId];
    for (const t of all) {
      const job = await runTunnelJob(admin, "deploy", t);
      if (job.status !== "succeeded") throw new Error(`deploy failed: ${job.error}`);
    }
    const pairs: [string, string][] = [
      ["strongswan ↔ strongswan (IKEv2 reauth, make_before_break)", all[0]!],
      ["strongswan ↔ centos-racoon (IKEv1: load-creds + ifdown/ifup)", all[1]!],
      ["centos-racoon ↔ centos-racoon (ifdown/ifup, peer down first)", centosPair.tunnelId],
    ];
    const rows: BenchRow[] = [];
    for (const [pair, tunnelId] of pairs) {
      const losses: number[] = [];
      const gapsMs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const { outcomes } = await runRotation(admin, [tunnelId], { measureInterruption: lanPingMeter(lab) });
        const o = outcomes[0]!;
        if (o.result !== "rotated" || o.interruption === "not measured") throw new Error(`${pair}: ${o.result} ${o.error ?? ""}`);
        losses.push(o.interruption.lost);
        gapsMs.push(o.interruption.longestGapMs ?? 0);
        console.log(
          `${pair}: round ${i + 1}: ${o.interruption.lost} of ${o.interruption.sent} lost, longest gap ${o.interruption.longestGapMs} ms`,
        );
      }
      rows.push({ pair, losses, gapsMs });
    }
    console.log(`\n${formatTable(rows, 10)}`);
  } finally {
    await stopLab(LAB);
  }
}

// Direct run: the app's server-only modules load only under the react-server condition.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let opts: { rounds: number };
  try {
    opts = parseInterruptionArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`rotation-interruption: ${e instanceof Error ? e.message : String(e)}\n${INTERRUPTION_USAGE}`);
    process.exit(2);
  }
  if (!process.execArgv.some((a) => a.includes("react-server"))) {
    const r = spawnSync(process.execPath, [...process.execArgv, "--conditions=react-server", ...process.argv.slice(1)], {
      stdio: "inherit",
    });
    process.exit(r.status ?? 1);
  }
  main(opts).then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
