// A made-up fleet for the specs that need more sites than a lab has routers: a hub and
// N branch offices created through the wizard's own use case (site, gateway, tunnel,
// PSK), with seeded health states — never deployed and no host key pinned, so nothing
// ever contacts these gateways. Runs in its own process against the e2e app's database
// (lib/ needs the react-server condition), and removes everything it made afterwards.
//   runInApp("made-up-fleet.ts", ["add", "<branches>"]) → MadeUpFleet;  runInApp("made-up-fleet.ts", ["remove"])
// (e2e/support/app-process.ts; by hand: GATEWARDEN_DATA_DIR=… tsx --conditions=react-server e2e/support/made-up-fleet.ts …)
import { generateEd25519KeyPair } from "../../lib/ssh/keys";

export const FLEET_HUB_SITE = "Fleet hub";
export const FLEET_HUB_GATEWAY = "fleet-hub-gw";
export const fleetBranchSite = (i: number) => `Fleet branch ${String(i).padStart(3, "0")}`;
/** Branch i's tunnel state: every sixth up, the others down, unreachable, degraded in turn. */
export const fleetStateOf = (i: number) => (i % 6 === 0 ? "up" : (["down", "unreachable", "degraded"] as const)[i % 3]!);

export type MadeUpFleet = { hubGatewayId: string; hubSiteId: string; branches: number };

async function add(branches: number): Promise<MadeUpFleet> {
  await remove(); // what an interrupted run left behind
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  const admin = await db.user.findFirstOrThrow({ where: { role: "admin", disabled: false }, orderBy: { createdAt: "asc" } });
  const actor = { id: admin.id, username: admin.username };
  const sshPrivateKey = generateEd25519KeyPair().privateKey;
  // 10.250.0.0/16 and TEST-NET-3: clear of the lab's and the other specs' addresses.
  const site = (i: number) => ({
    siteName: i === 0 ? FLEET_HUB_SITE : fleetBranchSite(i),
    subnets: `10.250.${i}.0/24`,
    gatewayName: i === 0 ? FLEET_HUB_GATEWAY : `fleet-branch${i}-gw`,
    platform: "strongswan",
    publicIp: `203.0.113.${i + 1}`,
    sshPort: "22",
    sshUser: "root",
    sshAuthType: "key",
    sshPrivateKey,
    wanInterface: "eth0",
    lanInterface: "eth1",
    lanAddress: `10.250.${i}.254`,
  });
  const { siteId: hubSiteId } = await createBranchOffice(actor, { ...site(0), role: "hub" });
  const hub = await db.gateway.findUniqueOrThrow({ where: { name: FLEET_HUB_GATEWAY }, select: { id: true } });
  const profile = await db.cryptoProfile.findFirstOrThrow({ where: { name: "Modern" } });
  const longAgo = Date.now() - 86_400_000;
  for (let i = 1; i <= branches; i++) {
    const { siteId } = await createBranchOffice(actor, { ...site(i), role: "branch", hubGatewayId: hub.id, cryptoProfileId: profile.id });
    const state = fleetStateOf(i);
    // A day old and one minute apart: branch 1 has been in its state the longest.
    await db.tunnel.updateMany({
      where: { ends: { some: { gateway: { siteId } } } },
      data: { healthState: state, healthReason: `made-up ${state} (branch ${i})`, healthAt: new Date(longAgo - (branches - i) * 60_000) },
    });
  }
  return { hubGatewayId: hub.id, hubSiteId, branches };
}

async function remove() {
  const { getDb } = await import("@/lib/db/client");
  const db = getDb();
  const gateways = await db.gateway.findMany({ where: { name: { startsWith: "fleet-" } }, select: { id: true, siteId: true } });
  await db.tunnel.deleteMany({ where: { ends: { some: { gatewayId: { in: gateways.map((g) => g.id) } } } } });
  await db.site.deleteMany({ where: { id: { in: gateways.map((g) => g.siteId) } } });
}

if (process.argv[1]?.endsWith("made-up-fleet.ts")) {
  const [command, n] = process.argv.slice(2);
  const run =
    command === "add"
      ? add(Number(n)).then((f) => console.log(JSON.stringify(f)))
      : command === "remove"
        ? remove()
        : Promise.reject(new Error("usage: made-up-fleet.ts add <branches> | remove"));
  run.then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
