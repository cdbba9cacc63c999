// Seeds an app database for the overview benchmark (run in its own process with
// GATEWARDEN_DATA_DIR set): a hub and N-1 branch offices through the app's own use case
// (each with its tunnel to the hub), one more tunnel between two branches (N tunnels in
// all), a mix of health states, an admin and a signed-in session. Nothing is deployed
// and no host key is pinned, so the app never contacts these made-up gateways.
// Prints one JSON line: { cookie, seedMs, queries }.
//   tsx --conditions=react-server bench/overview-seed.ts <gateways>
import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error plain ESM script without types
import { migrateDeploy } from "../scripts/prisma-migrate.mjs";

const STATES = ["up", "up", "up", "up", "up", "up", "up", "degraded", "down", "unreachable"] as const;

async function main() {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 3 || n > 5000) throw new Error("usage: overview-seed.ts <gateways 3..5000>");
  process.umask(0o077);
  await migrateDeploy({ env: process.env });
  const { ensureBuiltInProfiles } = await import("@/lib/db/crypto-profiles");
  await ensureBuiltInProfiles();
  const { createFirstAdmin } = await import("@/lib/inventory/accounts");
  const { createSession } = await import("@/lib/db/sessions");
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  const { createTunnel } = await import("@/lib/inventory/host-tunnel");
  const { listCryptoProfiles, listGatewayChoices } = await import("@/lib/db/inventory");
  const { getDb } = await import("@/lib/db/client");

  const keyDir = mkdtempSync(path.join(tmpdir(), "gwbench-seed-"));
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(keyDir, "id")]);
  const sshPrivateKey = readFileSync(path.join(keyDir, "id"), "utf8");
  rmSync(keyDir, { recursive: true, force: true });

  const pw = "overview benchmark password";
  const { issueSetupCode } = await import("@/lib/inventory/setup-code");
  const admin = await createFirstAdmin({ setupCode: await issueSetupCode(), username: "admin", password: pw, confirm: pw });
  const actor = { id: admin.id, username: admin.username };
  const profile = (await listCryptoProfiles()).find((p) => p.name === "Modern")!;
  const t0 = performance.now();
  const site = (i: number) => ({
    siteName: i === 0 ? "HQ" : `Branch ${String(i).padStart(4, "0")}`,
    subnets: `10.${i >> 8}.${i & 255}.0/24`,
    gatewayName: i === 0 ? "hq-gw" : `branch${i}-gw`,
    platform: "strongswan",
    // Never contacted (no host key pinned, nothing deployed); a benchmarking range.
    publicIp: `198.19.${200 + Math.floor(i / 250)}.${(i % 250) + 1}`,
    sshPort: "22",
    sshUser: "root",
    sshAuthType: "key",
    sshPrivateKey,
    wanInterface: "eth0",
    lanInterface: "eth1",
    lanAddress: `10.${i >> 8}.${i & 255}.254`,
  });
  await createBranchOffice(actor, { ...site(0), role: "hub" });
  const hubId = (await listGatewayChoices()).find((g) => g.name === "hq-gw")!.id;
  for (let i = 1; i < n; i++)
    await createBranchOffice(actor, { ...site(i), role: "branch", hubGatewayId: hubId, cryptoProfileId: profile.id });
  const gws = await listGatewayChoices();
  const id = (name: string) => gws.find((g) => g.name === name)!.id;
  await createTunnel(actor, {
    kind: "net-to-net",
    gatewayAId: id("branch1-gw"),
    gatewayBId: id("branch2-gw"),
    cryptoProfileId: profile.id,
  });
  const tunnels = await getDb().tunnel.findMany({ select: { id: true }, orderBy: { createdAt: "asc" } });
  const now = Date.now();
  for (const [i, t] of tunnels.entries()) {
    const state = STATES[i % STATES.length]!;
    await getDb().tunnel.update({
      where: { id: t.id },
      data: {
        healthState: state,
        healthReason: state === "up" ? "security association established" : `seeded ${state}`,
        healthAt: new Date(now - i * 1000),
      },
    });
  }
  const seedMs = Math.round(performance.now() - t0);

  const token = randomBytes(32).toString("base64url");
  await createSession({ id: createHash("sha256").update(token).digest("hex"), userId: admin.id, expiresAt: new Date(now + 6 * 3_600_000) });

  // The overview's own queries, timed here, to tell database time from rendering time.
  const { getOverviewCounts, listBusiestSites } = await import("@/lib/db/inventory");
  const { countTunnelsByHealth, listWorstTunnels } = await import("@/lib/db/health");
  const { loadFleetMap } = await import("@/lib/health/load-fleet-map");
  const { ATTENTION_STATES } = await import("@/lib/health/attention");
  const fleet = await getOverviewCounts();
  const queries: Record<string, number | string> = {};
  const pageQueries = [
    ["getOverviewCounts", getOverviewCounts],
    ["countTunnelsByHealth", countTunnelsByHealth],
    ["listWorstTunnels", () => listWorstTunnels(ATTENTION_STATES, 50)],
    ["loadFleetMap", () => loadFleetMap(fleet)],
    ["listBusiestSites", () => listBusiestSites(10)],
  ] as const;
  for (const [name, fn] of pageQueries) {
    const xs: number[] = [];
    try {
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        await fn();
        xs.push(performance.now() - t);
      }
      queries[name] = Math.round(xs.sort((a, b) => a - b)[2]! * 10) / 10;
    } catch (e) {
      // Reported, not hidden: the page runs this query too.
      const err = e as { code?: string; message?: string };
      queries[name] = `fails: ${err.code ?? ""} ${(err.message ?? String(e)).trim().split("\n").pop()}`.trim();
    }
  }
  const counts = await getOverviewCounts();
  await getDb().$disconnect();
  console.log(JSON.stringify({ cookie: `gw_session=${token}`, seedMs, counts, queries }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
