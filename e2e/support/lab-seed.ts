// Seeds lab tunnels for the specs that need them ready (health, rotation), through the
// app's own use cases, as an admin would have made them: the wizard's branch-office use
// case for a hub and a branch per pair (site, gateway, tunnel with the branch as end A,
// a fresh PSK, the profile the wizard preselects), host keys checked and pinned
// against the lab's record, and deploy jobs that the app server's runner runs. `clear`
// undoes it for a set of routers: tears down whatever the app deployed on them, then
// deletes their tunnels and sites, so the next spec meets those routers as the lab
// built them. Runs in its own process (e2e/support/app-process.ts).
//   runInApp("lab-seed.ts", ["add"], { lab, pairs: [{ hub, branch }], deploy })  → SeededPair[]
//   runInApp("lab-seed.ts", ["clear"], { lab, routers })
import { readFileSync } from "node:fs";
import { getRouter, requireLabState, type LabState, type RouterState } from "../lab/lab";
import { serveAppCommands } from "./app-process";

export type LabPair = { hub: string; branch: string };
export type SeedRequest = { lab: string; pairs: LabPair[]; deploy: boolean };
/** connectionName: the tunnel's name on the routers (its swanctl connection and files). */
export type SeededPair = LabPair & { tunnelId: string; connectionName: string };
export type ClearRequest = { lab: string; routers: string[] };

/** The names tunnel-deploy.spec.ts gives a router's site and gateway in the wizard. */
export const labSiteOf = (router: string) => `Lab ${router}`;
export const labGatewayOf = (router: string) => `lab-${router}-gw`;

type Actor = { id: string; username: string };

async function adminActor(): Promise<Actor> {
  const { getDb } = await import("@/lib/db/client");
  const admin = await getDb().user.findFirst({ where: { role: "admin", disabled: false }, orderBy: { createdAt: "asc" } });
  if (!admin) throw new Error("no admin yet: sign in with the adminSession fixture before seeding");
  return { id: admin.id, username: admin.username };
}

/** The wizard's preselected profile (app/(dash)/sites/new/wizard.tsx): IKEv1 when racoon is involved. */
async function wizardProfileId(platforms: string[]): Promise<string> {
  const { listCryptoProfiles } = await import("@/lib/db/inventory");
  const { profileFacts } = await import("@/lib/inventory/gateway-facts");
  const profiles = await listCryptoProfiles();
  const needsV1 = platforms.includes("centos-racoon");
  const pick =
    profiles.find((p) => (needsV1 ? profileFacts(p).ikeVersion === 1 && !/legacy/i.test(p.name) : profileFacts(p).ikeVersion === 2)) ??
    profiles[0];
  if (!pick) throw new Error("no crypto profiles");
  return pick.id;
}

async function addSite(actor: Actor, lab: LabState, r: RouterState, hubGatewayId?: string, cryptoProfileId?: string): Promise<string> {
  const { createBranchOffice } = await import("@/lib/inventory/branch-office");
  const { getDb } = await import("@/lib/db/client");
  await createBranchOffice(actor, {
    siteName: labSiteOf(r.name),
    subnets: r.lanCidr,
    gatewayName: labGatewayOf(r.name),
    platform: r.platform,
    // The namespace lab's strongSwan routers do ESP in userspace (kernel-libipsec).
    ipsecStack: lab.backend !== "vm" && r.platform === "strongswan" ? "libipsec" : "kernel",
    publicIp: r.publicIp,
    sshPort: String(r.sshPort),
    sshUser: r.sshUser,
    sshAuthType: "key",
    sshPrivateKey: readFileSync(lab.managementKey.privateKeyPath, "utf8"),
    wanInterface: r.wanInterface,
    lanInterface: r.lanInterface,
    lanAddress: r.lanAddress,
    ...(hubGatewayId ? { role: "branch", hubGatewayId, cryptoProfileId: cryptoProfileId! } : { role: "hub" }),
  });
  const gw = await getDb().gateway.findUniqueOrThrow({ where: { name: labGatewayOf(r.name) }, select: { id: true } });
  return gw.id;
}

async function pinHostKey(actor: Actor, r: RouterState, gatewayId: string) {
  const { acceptHostKey, checkHostKey } = await import("@/lib/inventory/host-key");
  const { offered } = await checkHostKey(gatewayId);
  // The lab generated the key itself: its record is the out-of-band check.
  if (offered !== r.hostKeyFingerprint) throw new Error(`${r.name} offered ${offered}, the lab recorded ${r.hostKeyFingerprint}`);
  await acceptHostKey(actor, gatewayId, offered);
}

/**
 * Queues a tunnel job for the app server to run and waits for its end. The server's
 * embedded runner (SQLite, as the e2e server runs) polls queued Job rows every second,
 * so inserting the row is the whole hand-over; this process runs no job itself.
 */
async function runTunnelJobInServer(actor: Actor, kind: "deploy" | "teardown", tunnelId: string): Promise<void> {
  const { enqueueWith } = await import("@/lib/jobs/enqueue");
  const { jobDefinitions } = await import("@/lib/jobs/definitions");
  const { getJob } = await import("@/lib/db/jobs");
  const polledByServer = {
    start: async () => {},
    stop: async () => ({ unfinished: [] }),
    wake: () => {},
    idle: async () => {},
    activeJobIds: [],
    dispatch: async () => {},
  };
  const id = await enqueueWith(polledByServer, jobDefinitions(), {
    kind,
    targetType: "tunnel",
    targetId: tunnelId,
    params: { tunnelId },
    actor,
  });
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    const job = await getJob(id);
    if (job?.status === "succeeded") return;
    if (job && job.status !== "queued" && job.status !== "running") {
      const failed = job.steps.filter((s) => s.status === "failed").map((s) => `${s.name}: ${s.detail ?? ""}`);
      const log = job.logs.slice(-15).map((l) => `  ${l.level} ${l.message}`);
      throw new Error(`${kind} job ${id} of tunnel ${tunnelId} ${job.status}: ${job.error ?? ""}\n${failed.join("\n")}\n${log.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${kind} job ${id} of tunnel ${tunnelId} did not finish within 3 minutes`);
}

async function waitForJobsOn(targetIds: string[]) {
  const { getDb } = await import("@/lib/db/client");
  const until = Date.now() + 180_000;
  while ((await getDb().job.count({ where: { targetId: { in: targetIds }, status: { in: ["queued", "running"] } } })) > 0) {
    if (Date.now() > until) throw new Error("jobs on the lab routers did not finish within 3 minutes");
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function add({ lab: labName, pairs, deploy }: SeedRequest): Promise<SeededPair[]> {
  const lab = requireLabState(labName);
  const actor = await adminActor();
  const { getDb } = await import("@/lib/db/client");
  const seeded: SeededPair[] = [];
  for (const { hub, branch } of pairs) {
    const h = getRouter(lab, hub);
    const b = getRouter(lab, branch);
    const hubGatewayId = await addSite(actor, lab, h);
    const branchGatewayId = await addSite(actor, lab, b, hubGatewayId, await wizardProfileId([b.platform, h.platform]));
    await pinHostKey(actor, h, hubGatewayId);
    await pinHostKey(actor, b, branchGatewayId);
    const tunnel = await getDb().tunnel.findFirstOrThrow({
      where: { ends: { some: { gatewayId: branchGatewayId } } },
      select: { id: true, connectionName: true },
    });
    seeded.push({ hub, branch, tunnelId: tunnel.id, connectionName: tunnel.connectionName! });
  }
  // The pairs share no router, so their deploys run side by side as two admins' would.
  if (deploy) await Promise.all(seeded.map((p) => runTunnelJobInServer(actor, "deploy", p.tunnelId)));
  return seeded;
}

async function clear({ lab: labName, routers }: ClearRequest): Promise<{ tunnels: number; sites: number }> {
  const lab = requireLabState(labName);
  const actor = await adminActor().catch(() => null);
  const { getDb } = await import("@/lib/db/client");
  const { deleteSite, deleteTunnel } = await import("@/lib/inventory/edit-inventory");
  const db = getDb();
  const ips = routers.map((r) => getRouter(lab, r).publicIp);
  const gateways = await db.gateway.findMany({ where: { publicIp: { in: ips } }, select: { id: true, siteId: true } });
  if (!gateways.length) return { tunnels: 0, sites: 0 };
  if (!actor) throw new Error("gateways on the lab routers but no admin to remove them");
  const gatewayIds = gateways.map((g) => g.id);
  const tunnelIds = (await db.tunnel.findMany({ where: { ends: { some: { gatewayId: { in: gatewayIds } } } }, select: { id: true } })).map(
    (t) => t.id,
  );
  // A job a failed spec left going (a deploy cut off by its timeout) ends first, or its
  // files would land on a router after the tunnel is gone.
  await waitForJobsOn([...tunnelIds, ...gatewayIds]);
  const tunnels = await db.tunnel.findMany({ where: { id: { in: tunnelIds } }, select: { id: true, deployState: true } });
  // What may be configured on the routers comes off them first (deleteTunnel insists).
  await Promise.all(
    tunnels
      .filter((t) => t.deployState === "deployed" || t.deployState === "failed")
      .map((t) => runTunnelJobInServer(actor, "teardown", t.id)),
  );
  for (const t of tunnels) await deleteTunnel(actor, t.id);
  for (const g of gateways) await deleteSite(actor, g.siteId);
  return { tunnels: tunnels.length, sites: gateways.length };
}

serveAppCommands("lab-seed.ts", { add, clear });
