// What the lab integration tests check on a router after a fault: its config files,
// byte for byte, and LAN-to-LAN traffic through the tunnel.
import { execInRouter, pingFromHost, type LabState } from "@/e2e/lab/lab";

/** Every directory a deploy may write on a namespace-lab router (strongSwan and CentOS). */
const CONFIG_DIRS = ["/etc/sysconfig/network-scripts", "/etc/racoon", "/etc/swanctl/conf.d", "/etc/sysctl.d", "/etc/strongswan.d"];

/** sha256 of every config file a deploy may touch on a router, sorted by path. */
export async function configSnapshot(lab: LabState, router: string): Promise<string> {
  const r = await execInRouter(lab, router, [
    "sh",
    "-c",
    `find ${CONFIG_DIRS.join(" ")} -type f -exec sha256sum {} + 2>/dev/null | sort -k2`,
  ]);
  return r.stdout;
}

/** Three pings from one router's LAN host to the other's all come back. */
export async function lanPingOk(lab: LabState, from: string, to: string): Promise<boolean> {
  const dst = lab.routers.find((r) => r.name === to)!.lanHost.ip;
  return (await pingFromHost(lab, from, dst, { count: 3 })).received === 3;
}
