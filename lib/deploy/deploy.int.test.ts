// Deploys tunnels from the app's database to real lab routers (sshd + strongSwan in
// network namespaces) through the job runner, and proves them with pings between
// the LAN hosts. Both platforms, net-to-net and host-to-host.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { execInRouter, pingFromHost, type LabState } from "@/e2e/lab/lab";
import { addLabTunnel, connectionNameOf, runJobToEnd, startLabApp, stopLabApp } from "@/e2e/support/lab-jobs";

const LAB = "gwtest-deploy";
let lab: LabState;
let admin: { id: string; username: string };
let gatewayIds: Map<string, string>;

const runJob = (kind: "deploy" | "teardown", tunnelId: string, params: Record<string, unknown> = { tunnelId }) =>
  runJobToEnd(admin, kind, params, tunnelId);
const addTunnel = (kind: "net-to-net" | "host-to-host", a: string, b: string, profile: string) =>
  addLabTunnel(admin, gatewayIds, { kind, a, b, profile });

/** Every process command line on the machine (the routers share our PID namespace). */
function allCommandLines(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
    } catch {
      // the process ended between readdir and read
    }
  }
  return out;
}

beforeAll(async () => {
  ({ lab, admin, gatewayIds } = await startLabApp({
    name: LAB,
    sites: 4,
    platforms: ["strongswan", "strongswan", "centos-racoon", "centos-racoon"],
  }));
});

afterAll(async () => {
  await stopLabApp(LAB);
});

describe("deploy to lab routers", () => {
  it("strongSwan net-to-net: the tunnel carries LAN traffic only once deployed", async () => {
    const hqLan = lab.routers[0]!.lanHost.ip;
    expect((await pingFromHost(lab, "branch1", hqLan, { count: 2 })).received).toBe(0);
    const tunnelId = await addTunnel("net-to-net", "hq", "branch1", "Modern");
    const { loadTunnelEnds } = await import("@/lib/rendering/load-ends");
    const psk = (await loadTunnelEnds(tunnelId))!.ends[0].end.psk;

    let leaked = false;
    let scanning = true;
    const scanner = (async () => {
      while (scanning) {
        if (allCommandLines().some((c) => c.includes(psk))) leaked = true;
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const job = await runJob("deploy", tunnelId);
    scanning = false;
    await scanner;

    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    expect(leaked).toBe(false);
    const log = job.logs.map((l) => l.message).join("\n");
    expect(log).toMatch(/ip route list:\n.*192\.168\.2\.0\/24/);
    expect(log).not.toContain(psk);
    expect(job.steps.every((s) => s.status === "ok")).toBe(true);
    expect((await pingFromHost(lab, "branch1", hqLan, { count: 3 })).received).toBe(3);
    const mode = await execInRouter(lab, "hq", [
      "stat",
      "-c",
      "%a",
      `/etc/swanctl/conf.d/${await connectionNameOf(tunnelId)}.secrets.conf`,
    ]);
    expect(mode.stdout.trim()).toBe("600");
  });

  it("centos-racoon net-to-net via ifup: route in ip route list, keys 0600, LAN pings pass", async () => {
    const b2 = lab.routers[2]!;
    const b3 = lab.routers[3]!;
    expect((await pingFromHost(lab, "branch3", b2.lanHost.ip, { count: 2 })).received).toBe(0);
    const tunnelId = await addTunnel("net-to-net", "branch2", "branch3", "Modern IKEv1 (racoon)");
    const job = await runJob("deploy", tunnelId);
    expect(job.error).toBeNull();
    expect((await pingFromHost(lab, "branch3", b2.lanHost.ip, { count: 3 })).received).toBe(3);
    const routes = await execInRouter(lab, "branch2", ["ip", "route", "list"]);
    expect(routes.stdout).toContain(`${b3.lanCidr} via ${b2.lanAddress}`);
    const mode = await execInRouter(lab, "branch2", ["stat", "-c", "%a", "/etc/sysconfig/network-scripts/keys-ipsec0"]);
    expect(mode.stdout.trim()).toBe("600");
    const log = job.logs.map((l) => l.message).join("\n");
    expect(log).toContain("/sbin/ifup ipsec0");
  });

  it("host-to-host between a strongSwan and a CentOS gateway", async () => {
    const tunnelId = await addTunnel("host-to-host", "hq", "branch2", "Modern IKEv1 (racoon)");
    const job = await runJob("deploy", tunnelId);
    expect(job.error).toBeNull();
    expect(job.status).toBe("succeeded");
    const sas = await execInRouter(lab, "hq", ["swanctl", "--list-sas"]);
    expect(sas.stdout).toContain(await connectionNameOf(tunnelId));
    expect(sas.stdout).toContain("INSTALLED");
  });

  it("teardown removes the tunnel and its files", async () => {
    const { listTunnels } = await import("@/lib/db/inventory");
    const t = (await listTunnels()).find((x) => x.ends.some((e) => e.gateway.name === "branch1-gw"))!;
    const name = await connectionNameOf(t.id);
    const job = await runJob("teardown", t.id);
    expect(job.error).toBeNull();
    expect((await pingFromHost(lab, "branch1", lab.routers[0]!.lanHost.ip, { count: 2 })).received).toBe(0);
    const ls = await execInRouter(lab, "hq", ["ls", "/etc/swanctl/conf.d"]);
    expect(ls.stdout).not.toContain(name);
  });

  it("fleet deploy: one job, the hub visited once; an unreachable spoke fails alone, the rest is deployed", async () => {
    const { listTunnels } = await import("@/lib/db/inventory");
    const { getDb } = await import("@/lib/db/client");
    const again = (await listTunnels()).find((x) => x.ends.some((e) => e.gateway.name === "branch1-gw"))!.id;
    const fresh = await addTunnel("net-to-net", "hq", "branch3", "Modern IKEv1 (racoon)");
    const branch3 = gatewayIds.get("branch3")!;
    await getDb().gateway.update({ where: { id: branch3 }, data: { sshPort: 2222 } });
    const job = await runJob("deploy", again, { tunnelIds: [again, fresh] });
    await getDb().gateway.update({ where: { id: branch3 }, data: { sshPort: 22 } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/1 of 2 tunnel\(s\) failed.*hq-gw ↔ branch3-gw: Could not reach/);
    expect(job.steps.filter((s) => s.name === "connect to hq-gw")).toHaveLength(1);
    // The hub (busier end) initiates nothing: one load to apply both tunnels, one in the
    // rollback to unload the failed one. The spoke initiates: its loaded connection starts
    // (start_action = start), so no --initiate runs to collide with it.
    const commandsOn = (g: string) =>
      job.logs.filter((l) => l.gateway === g && l.message.startsWith("$ ")).map((l) => l.message.split("  →")[0] ?? "");
    expect(commandsOn("hq-gw")).toEqual(["$ swanctl --load-all", "$ swanctl --load-all"]);
    expect(commandsOn("branch1-gw")).toContain("$ swanctl --load-all");
    expect(commandsOn("branch1-gw").some((c) => c.includes("--initiate"))).toBe(false);
    expect((await pingFromHost(lab, "branch1", lab.routers[0]!.lanHost.ip, { count: 3 })).received).toBe(3);
    const ls = await execInRouter(lab, "hq", ["ls", "/etc/swanctl/conf.d"]);
    expect(ls.stdout).toContain(await connectionNameOf(again));
    expect(ls.stdout).not.toContain(await connectionNameOf(fresh));
    const states = Object.fromEntries((await listTunnels()).map((t) => [t.id, t.deployState]));
    expect(states[again]).toBe("deployed");
    expect(states[fresh]).toBe("failed");
  });
});
