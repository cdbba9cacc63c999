// Records a running lab's routers in Gatewarden's database, the way an admin would:
// one site per router (its LAN, its gateway with the lab's management key), the
// host key learned over SSH and then accepted, and optionally hub-and-spoke tunnels.
// Used by `npm run lab -- up --register`, the demo, integration tests and benchmarks.
// Registering again on the same data (the demo run twice) is safe: the lab's own
// gateways (same site, gateway name and public address) get the lab's current management
// key and host key again, and tunnels that exist are kept; a site of the same name that
// is not the lab's is refused by name rather than taken over.
import { readFileSync } from "node:fs";
import { createBranchOffice } from "@/lib/inventory/branch-office";
import { createTunnel } from "@/lib/inventory/host-tunnel";
import { acceptHostKey, checkHostKey } from "@/lib/inventory/host-key";
import { updateGatewaySshAccess } from "@/lib/inventory/edit-inventory";
import { listCryptoProfiles, listGatewayChoices, listSites, listTunnels } from "@/lib/db/inventory";
import { getPlatform } from "@/lib/platforms";
import type { AuditActor } from "@/lib/db/audit";
import type { LabState, RouterState } from "./state";

export const siteNameOf = (r: RouterState) => (r.name === "hq" ? "HQ" : r.name.replace(/^branch(\d+)$/, "Branch $1"));
export const gatewayNameOf = (r: RouterState) => `${r.name}-gw`;

export type RegisteredLab = { gatewayIds: Map<string, string>; tunnelIds: string[] };

export async function registerLab(
  state: LabState,
  actor: AuditActor,
  opts: { tunnels?: "hub-and-spoke" | "none"; log?: (line: string) => void } = {},
): Promise<RegisteredLab> {
  const log = opts.log ?? (() => {});
  const privateKey = readFileSync(state.managementKey.privateKeyPath, "utf8");
  const existing = new Set((await listSites()).map((s) => s.name));
  const before = await listGatewayChoices();
  for (const r of state.routers) {
    if (existing.has(siteNameOf(r))) {
      const own = before.find((g) => g.name === gatewayNameOf(r) && g.site.name === siteNameOf(r) && g.publicIp === r.publicIp);
      if (!own) {
        throw new Error(
          `a site named "${siteNameOf(r)}" already exists and is not this lab's (no gateway ${gatewayNameOf(r)} at ${r.publicIp} in it): ` +
            "rename or delete it, or use another data directory (GATEWARDEN_DATA_DIR)",
        );
      }
      // The lab's management key may have been made anew (its directory removed): the gateway gets the current one.
      await updateGatewaySshAccess(actor, own.id, {
        sshHost: r.publicIp,
        sshPort: String(r.sshPort),
        sshUser: r.sshUser,
        sshAuthType: "key",
        sshPrivateKey: privateKey,
      });
      log(`${siteNameOf(r)} was registered before: its gateway ${gatewayNameOf(r)} gets the lab's management key again`);
      continue;
    }
    await createBranchOffice(actor, {
      siteName: siteNameOf(r),
      subnets: r.lanCidr,
      gatewayName: gatewayNameOf(r),
      platform: r.platform,
      // The namespace lab's routers do ESP in strongSwan's userspace; VM routers in their kernel.
      ipsecStack: state.backend === "vm" || r.platform !== "strongswan" ? "kernel" : "libipsec",
      publicIp: r.publicIp,
      sshHost: r.publicIp,
      sshPort: String(r.sshPort),
      sshUser: r.sshUser,
      sshAuthType: "key",
      sshPrivateKey: privateKey,
      wanInterface: r.wanInterface,
      lanInterface: r.lanInterface,
      lanAddress: r.lanAddress,
      role: "hub",
    });
    log(`registered ${siteNameOf(r)} (${gatewayNameOf(r)}, ${r.platform}, ${r.publicIp})`);
  }
  const gateways = await listGatewayChoices();
  const gatewayIds = new Map(state.routers.map((r) => [r.name, gateways.find((g) => g.name === gatewayNameOf(r))!.id]));
  for (const r of state.routers) {
    const id = gatewayIds.get(r.name)!;
    const { offered, pinned } = await checkHostKey(id);
    // The lab generated this key itself: comparing with its record is the out-of-band check.
    if (offered !== r.hostKeyFingerprint) throw new Error(`${r.name} offered ${offered}, the lab recorded ${r.hostKeyFingerprint}`);
    // Already pinned (registered before, host keys kept): nothing to accept.
    if (offered !== pinned) await acceptHostKey(actor, id, offered);
  }
  const tunnelIds: string[] = [];
  if (opts.tunnels === "hub-and-spoke") {
    const profiles = await listCryptoProfiles();
    // IKEv2 ("Modern") where both platforms speak it, else the built-in IKEv1 profile.
    const speaksV2 = (r: RouterState) => getPlatform(r.platform).capabilities.ikeVersions.includes(2);
    const profileFor = (a: RouterState, b: RouterState) =>
      profiles.find((p) => p.name === (speaksV2(a) && speaksV2(b) ? "Modern" : "Modern IKEv1 (racoon)"))!.id;
    const [hub, ...spokes] = state.routers;
    const pairOf = (ids: string[]) => [...ids].sort().join(" ");
    const existingTunnels = new Map((await listTunnels()).map((t) => [pairOf(t.ends.map((e) => e.gatewayId)), t.id]));
    for (const spoke of spokes) {
      const existingId = existingTunnels.get(pairOf([gatewayIds.get(hub!.name)!, gatewayIds.get(spoke.name)!]));
      if (existingId) {
        tunnelIds.push(existingId);
        log(`tunnel ${hub!.name} ↔ ${spoke.name} exists`);
        continue;
      }
      const { tunnelId } = await createTunnel(actor, {
        kind: "net-to-net",
        gatewayAId: gatewayIds.get(hub!.name)!,
        gatewayBId: gatewayIds.get(spoke.name)!,
        cryptoProfileId: profileFor(hub!, spoke),
      });
      tunnelIds.push(tunnelId);
      log(`tunnel ${hub!.name} ↔ ${spoke.name}`);
    }
  }
  return { gatewayIds, tunnelIds };
}
