// evaluateTunnel on outputs recorded from the lab (lib/health/__fixtures__, see lab.json):
// hq (strongSwan) ↔ branch1 (strongSwan) IKEv2 and hq ↔ branch2 (CentOS emulation) IKEv1,
// both up; then branch1's charon stopped.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tunnelEndsFor } from "@/lib/rendering/tunnel-ends";
import { MODERN_PROFILE } from "@/lib/platforms/crypto-profiles";
import { saBlocksFor } from "@/lib/platforms/strongswan/parse-status";
import { evaluateTunnel, type CommandOutput, type Counters, type EndObservation } from "./evaluate";
import { parsePing, type ProbeResult } from "./parse-ping";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");
const lab = JSON.parse(fixture("lab.json")) as { tunnelIds: [string, string]; lab: [string, string, string, string][] };
const router = (name: string) => {
  const [, publicIp, lanAddress, lanCidr] = lab.lab.find((r) => r[0] === name)!;
  return { publicIp, lanAddress, lanCidr };
};
const platformOf = { hq: "strongswan", branch1: "strongswan", branch2: "centos-racoon" } as const;

function ends(tunnelId: string, a: "hq", b: "branch1" | "branch2") {
  const gw = (name: keyof typeof platformOf, role: "a" | "b") => ({
    role,
    interfaceName: "ipsec0",
    gateway: { id: name, name: `${name}-gw`, platform: platformOf[name], publicIp: router(name).publicIp, lanAddress: router(name).lanAddress, site: { subnets: [{ cidr: router(name).lanCidr }] } },
  });
  return tunnelEndsFor({ id: tunnelId, kind: "net-to-net", cryptoProfile: { spec: JSON.stringify(MODERN_PROFILE) }, ends: [gw(a, "a"), gw(b, "b")] }, "");
}

const out = (argv: string[], stdout: string, exitCode = 0, stderr = ""): CommandOutput => ({ argv, exitCode, stdout, stderr });
const sas = (stdout: string, exitCode = 0, stderr = "") => out(["swanctl", "--list-sas"], stdout, exitCode, stderr);
const routes = (stdout: string) => out(["ip", "route", "list", "table", "all"], stdout);
const okProbe = (from: string, to: string): ProbeResult => parsePing(from, to, { exitCode: 0, stdout: fixture("ping-ok.txt"), stderr: "" });

function observe(e: ReturnType<typeof ends>[number], outputs: CommandOutput[], probe: ProbeResult | null = null): EndObservation {
  // Each platform's statusCommands order: strongSwan lists SAs first, CentOS routes first.
  const ordered = e.platform === "strongswan" ? outputs : [...outputs].reverse();
  return { role: e.role, gatewayName: e.gatewayName, platform: e.platform, end: e.end, reached: true, outputs: ordered, probe };
}

const now = new Date("2026-11-28T10:00:00Z");
const [t1, t2] = lab.tunnelIds;

describe("evaluateTunnel", () => {
  it("strongSwan ↔ strongSwan, SAs on both ends and an answered probe: up, with latency and the CHILD SA's counters", () => {
    const [a, b] = ends(t1, "hq", "branch1");
    const j = evaluateTunnel({
      ends: [observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))]), observe(b, [sas(fixture("up-branch1-sas.txt")), routes(fixture("up-branch1-routes.txt"))], okProbe("192.168.2.254", "192.168.1.254"))],
      previous: null,
      now,
    });
    expect(j.state).toBe("up");
    expect(j.reason).toBe("Up on both ends; probe 192.168.2.254 → 192.168.1.254: 0% loss, 0.091 ms average.");
    expect(j.latencyMs).toBe(0.091);
    expect(j.lossPct).toBe(0);
    expect(j.packetsIn).toBeGreaterThan(0);
    expect(j.ikeSpi).toMatch(/^[0-9a-f]{16}_i [0-9a-f]{16}_r$/);
    expect(j.detail.ends.map((e) => e.state)).toEqual(["up", "up"]);
    // Only this tunnel's SA block, not the hub's other tunnel.
    expect(j.detail.ends[0]!.sas).toContain(`gw-${t1}`);
    expect(j.detail.ends[0]!.sas).not.toContain(`gw-${t2}`);
    expect(j.detail.ends[0]!.routes).toContain("192.168.2.0/24 dev ipsec0 table 220");
    expect(j.detail.ends[0]!.routes).not.toMatch(/^local /m);
  });

  it("CentOS emulation end: matched by peer address, up", () => {
    const [a, b] = ends(t2, "hq", "branch2");
    const j = evaluateTunnel({
      ends: [observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))]), observe(b, [sas(fixture("up-branch2-sas.txt")), routes(fixture("up-branch2-routes.txt"))], okProbe("192.168.3.254", "192.168.1.254"))],
      previous: null,
      now,
    });
    expect(j.state).toBe("up");
    expect(j.detail.ends[1]!.sas).toContain("ifup-ipsec0");
    expect(j.detail.ends[1]!.routes).toContain("192.168.1.0/24 via 192.168.3.254");
  });

  it("a real racoon router (no swanctl) counts as up from ifup's route; the probe decides", () => {
    const [a, b] = ends(t2, "hq", "branch2");
    const j = evaluateTunnel({
      ends: [observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))]), observe(b, [sas("", 127, "bash: swanctl: command not found"), routes(fixture("up-branch2-routes.txt"))], okProbe("192.168.3.254", "192.168.1.254"))],
      previous: null,
      now,
    });
    expect(j.state).toBe("up");
    expect(j.detail.ends[1]!.sas).toBe("(this router cannot list security associations)");
  });

  it("charon stopped on branch1: down, naming the gateway, the swanctl error and the probe's loss", () => {
    const [a, b] = ends(t1, "hq", "branch1");
    const stderr = fixture("b1stopped-branch1-sas.stderr.txt");
    const probe = parsePing("192.168.2.254", "192.168.1.254", { exitCode: 1, stdout: fixture("b1stopped-ping.txt"), stderr: "" });
    const j = evaluateTunnel({
      ends: [observe(a, [sas(fixture("b1stopped-hq-sas.txt")), routes(fixture("b1stopped-hq-routes.txt"))]), observe(b, [sas("", 111, stderr), routes(fixture("b1stopped-branch1-routes.txt"))], probe)],
      previous: null,
      now,
    });
    expect(j.state).toBe("down");
    expect(j.reason).toBe(
      "Down on both ends: hq-gw: no security association and no route; branch1-gw: no security association and no route (swanctl --list-sas failed: connecting to 'unix:///var/run/charon.vici' failed: Connection refused); probe 192.168.2.254 → 192.168.1.254: 100% loss.",
    );
    expect(j.lossPct).toBe(100);
    expect(j.latencyMs).toBeNull();
    expect(j.packetsIn).toBeNull();
  });

  it("one end still holds its SA while the other lost it: down when the probe fails, degraded when it passes", () => {
    const [a, b] = ends(t1, "hq", "branch1");
    const lost = observe(b, [sas("", 111, "connecting failed"), routes(fixture("b1stopped-branch1-routes.txt"))]);
    const hq = (probe: ProbeResult) => observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))], probe);
    const failed = parsePing("192.168.1.254", "192.168.2.254", { exitCode: 1, stdout: fixture("ping-no-answer.txt"), stderr: "" });
    const down = evaluateTunnel({ ends: [hq(failed), lost], previous: null, now });
    expect(down.state).toBe("down");
    expect(down.reason).toMatch(/^Down: branch1-gw has no security association/);
    const degraded = evaluateTunnel({ ends: [hq(okProbe("192.168.1.254", "192.168.2.254")), lost], previous: null, now });
    expect(degraded.state).toBe("degraded");
    expect(degraded.reason).toMatch(/^Only hq-gw reports the tunnel up: branch1-gw has/);
  });

  it("SAs on both ends but the probe gets nothing back: down (the SA lies)", () => {
    const [a, b] = ends(t1, "hq", "branch1");
    const failed = parsePing("192.168.2.254", "192.168.1.254", { exitCode: 1, stdout: fixture("b1stopped-ping.txt"), stderr: "" });
    const j = evaluateTunnel({
      ends: [observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))]), observe(b, [sas(fixture("up-branch1-sas.txt")), routes(fixture("up-branch1-routes.txt"))], failed)],
      previous: null,
      now,
    });
    expect(j.state).toBe("down");
    expect(j.reason).toMatch(/^Both ends report a security association but nothing crosses the tunnel/);
  });

  it("partial loss and a silent direction are degraded", () => {
    const [a, b] = ends(t1, "hq", "branch1");
    const hqObs = observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))]);
    const b1 = (probe: ProbeResult | null) => observe(b, [sas(fixture("up-branch1-sas.txt")), routes(fixture("up-branch1-routes.txt"))], probe);
    const lossy: ProbeResult = { from: "192.168.2.254", to: "192.168.1.254", sent: 5, received: 4, avgMs: 1.2, error: null };
    const j = evaluateTunnel({ ends: [hqObs, b1(lossy)], previous: null, now });
    expect(j.state).toBe("degraded");
    expect(j.lossPct).toBe(20);
    expect(j.reason).toBe("Packet loss through the tunnel: probe 192.168.2.254 → 192.168.1.254: 20% loss, 1.2 ms average.");

    // Counters read from hq's CHILD SA: pretend the previous sample saw as many packets in, fewer out.
    const first = evaluateTunnel({ ends: [hqObs, b1(null)], previous: null, now });
    const previous: Counters = { ...first, packetsOut: first.packetsOut! - 3 };
    const silent = evaluateTunnel({ ends: [hqObs, b1(null)], previous, now });
    expect(silent.state).toBe("degraded");
    expect(silent.reason).toBe("One direction is silent: hq-gw sent 3 packet(s) into the tunnel since the last check but received none.");
    // A rekeyed CHILD SA (new SPI) is not compared with the old one's counters.
    expect(evaluateTunnel({ ends: [hqObs, b1(null)], previous: { ...previous, childSpiIn: "00000000" }, now }).state).toBe("up");
  });

  it("a probe that could not run is shown but does not judge the tunnel", () => {
    const [a, b] = ends(t1, "hq", "branch1");
    const broken = parsePing("192.168.2.254", "192.168.1.254", { exitCode: 2, stdout: "", stderr: "ping: bind: Cannot assign requested address" });
    const j = evaluateTunnel({
      ends: [observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))]), observe(b, [sas(fixture("up-branch1-sas.txt")), routes(fixture("up-branch1-routes.txt"))], broken)],
      previous: null,
      now,
    });
    expect(j.state).toBe("up");
    expect(j.reason).toBe("Up on both ends; probe 192.168.2.254 → 192.168.1.254 could not run (ping: bind: Cannot assign requested address).");
    expect(j.lossPct).toBeNull();
    expect(j.detail.probe).toEqual(broken);
  });

  it("a gateway that refuses SSH makes the tunnel unreachable, with the reason first", () => {
    const [a, b] = ends(t1, "hq", "branch1");
    const refused = (code: string, message: string): EndObservation => ({ role: b.role, gatewayName: b.gatewayName, platform: b.platform, end: b.end, reached: false, failure: { code, message } });
    const hqObs = observe(a, [sas(fixture("up-hq-sas.txt")), routes(fixture("up-hq-routes.txt"))]);
    const key = evaluateTunnel({ ends: [hqObs, refused("host-key-changed", "Refused before authenticating: …")], previous: null, now });
    expect(key.state).toBe("unreachable");
    expect(key.reason).toBe("Host key changed on branch1-gw: Refused before authenticating: …");
    expect(key.detail.ends[1]).toMatchObject({ state: "unreachable", error: "Refused before authenticating: …" });
    expect(key.detail.ends[0]!.state).toBe("up");
    const auth = evaluateTunnel({ ends: [hqObs, refused("auth-failed", "The gateway refused the SSH key.")], previous: null, now });
    expect(auth.reason).toMatch(/^Authentication refused on branch1-gw/);
  });

  it("saBlocksFor keeps only the tunnel's IKE SA blocks", () => {
    const [a] = ends(t2, "hq", "branch2");
    const text = saBlocksFor(fixture("up-hq-sas.txt"), a.end);
    expect(text.startsWith(`gw-${t2}:`)).toBe(true);
    expect(text).not.toContain(`gw-${t1}`);
  });
});
