// evaluateTunnel on router outputs recorded in the lab (lib/platforms/<platform>/__recorded__,
// written by scripts/record-router-output.ts): strongSwan hq ↔ branch1 up, with branch1's
// charon stopped or killed, and a hub of two tunnels; the CentOS emulation's hq ↔ branch1.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { PlatformId } from "@/lib/platforms/contract";
import { getPlatform } from "@/lib/platforms";
import { readCase, resultsFor } from "@/lib/platforms/recorded-cases";
import { evaluateTunnel, type CommandOutput, type Counters, type EndObservation } from "./evaluate";
import { parsePing, type ProbeResult } from "./parse-ping";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");
const okProbe = (from: string, to: string): ProbeResult => parsePing(from, to, { exitCode: 0, stdout: fixture("ping-ok.txt"), stderr: "" });

/** One end of a recorded case as a health round sees it: its router's status outputs, in its platform's order. */
function observe(
  platform: PlatformId,
  caseName: string,
  label: string,
  role: "a" | "b",
  probe: ProbeResult | null = null,
  sample = "sample-1",
): Extract<EndObservation, { reached: true }> {
  const c = readCase(platform, caseName);
  const { router, end } = c.ends[label]!;
  const recorded = c.samples.find(([s]) => s === sample)![1][router]!;
  const outputs: CommandOutput[] = resultsFor(recorded, getPlatform(platform).statusCommands(end)).map((r) => ({
    argv: r.argv,
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr ?? "",
  }));
  return { role, gatewayName: `${router}-gw`, platform, end, reached: true, outputs, probe };
}

/** The same observation with its SA listing (swanctl, or setkey on CentOS) replaced: an empty or failed listing. */
function withListing(obs: Extract<EndObservation, { reached: true }>, listing: Omit<CommandOutput, "argv">): EndObservation {
  return { ...obs, outputs: obs.outputs.map((o) => (["swanctl", "setkey"].includes(o.argv[0]!) ? { ...o, ...listing } : o)) };
}

const now = new Date("2026-11-28T10:00:00Z");
const ss = (caseName: string, label: string, role: "a" | "b", probe: ProbeResult | null = null) =>
  observe("strongswan", caseName, label, role, probe);

describe("evaluateTunnel", () => {
  it("strongSwan ↔ strongSwan, SAs on both ends and an answered probe: up, with latency and the CHILD SA's counters", () => {
    const j = evaluateTunnel({
      ends: [ss("up", "hq", "a"), ss("up", "branch1", "b", okProbe("192.168.2.254", "192.168.1.254"))],
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
    expect(j.detail.ends[0]!.sas).toMatch(/^gw-t1 #\d+: ESTABLISHED, IKEv2/);
    expect(j.detail.ends[0]!.sas).toContain("INSTALLED");
    expect(j.detail.ends[0]!.routes).toContain("192.168.2.0/24 dev ipsec0 table 220");
    expect(j.detail.ends[0]!.routes).not.toMatch(/^local /m);
  });

  it("a hub's end shows only this tunnel's SAs, not the hub's other tunnel", () => {
    const j = evaluateTunnel({
      ends: [ss("hub-two-tunnels", "hq-to-branch2", "a"), ss("hub-two-tunnels", "branch2", "b", okProbe("192.168.3.254", "192.168.1.254"))],
      previous: null,
      now,
    });
    expect(j.state).toBe("up");
    expect(j.detail.ends[0]!.sas).toContain("gw-t2");
    expect(j.detail.ends[0]!.sas).not.toContain("gw-t1");
    expect(j.detail.ends[0]!.routes).toContain("192.168.3.0/24 dev ipsec0 table 220");
  });

  it("CentOS ends: up from the kernel's ESP pair (setkey -D), listed under the interface", () => {
    const j = evaluateTunnel({
      ends: [
        observe("centos-racoon", "up", "hq", "a"),
        observe("centos-racoon", "up", "branch1", "b", okProbe("192.168.2.254", "192.168.1.254")),
      ],
      previous: null,
      now,
    });
    expect(j.state).toBe("up");
    expect(j.detail.ends[1]!.sas).toContain("ipsec0");
    expect(j.detail.ends[1]!.routes).toContain("192.168.1.0/24 via 192.168.2.254");
  });

  it("a CentOS router whose SAD holds nothing for the tunnel is not up from ifup's route alone", () => {
    const racoon = withListing(observe("centos-racoon", "up", "branch1", "b", okProbe("192.168.2.254", "192.168.1.254")), {
      stdout: "No SAD entries.\n",
      exitCode: 0,
      stderr: "",
    });
    const j = evaluateTunnel({ ends: [ss("up", "hq", "a"), racoon], previous: null, now });
    expect(j.state).not.toBe("up");
    expect(j.detail.ends[1]!.sas).toBe("(no security association for this tunnel)");
  });

  it("charon stopped on branch1: down, naming the gateway, the swanctl error and the probe's loss", () => {
    const probe = parsePing("192.168.2.254", "192.168.1.254", { exitCode: 1, stdout: fixture("b1stopped-ping.txt"), stderr: "" });
    const j = evaluateTunnel({ ends: [ss("daemon-stopped", "hq", "a"), ss("daemon-stopped", "branch1", "b", probe)], previous: null, now });
    expect(j.state).toBe("down");
    expect(j.reason).toBe(
      "Down on both ends: hq-gw: no security association and no route; branch1-gw: no security association and no route (swanctl --list-sas failed: connecting to 'unix:///var/run/charon.vici' failed: Connection refused); probe 192.168.2.254 → 192.168.1.254: 100% loss.",
    );
    expect(j.lossPct).toBe(100);
    expect(j.latencyMs).toBeNull();
    expect(j.packetsIn).toBeNull();
  });

  it("branch1's charon killed, hq still holds its SA: down when the probe fails, degraded when it passes", () => {
    const lost = ss("one-end-up", "branch1", "b");
    const hq = (probe: ProbeResult) => ss("one-end-up", "hq", "a", probe);
    const failed = parsePing("192.168.1.254", "192.168.2.254", { exitCode: 1, stdout: fixture("ping-no-answer.txt"), stderr: "" });
    const down = evaluateTunnel({ ends: [hq(failed), lost], previous: null, now });
    expect(down.state).toBe("down");
    expect(down.reason).toMatch(/^Down: branch1-gw has no security association/);
    const degraded = evaluateTunnel({ ends: [hq(okProbe("192.168.1.254", "192.168.2.254")), lost], previous: null, now });
    expect(degraded.state).toBe("degraded");
    expect(degraded.reason).toMatch(/^Only hq-gw reports the tunnel up: branch1-gw has/);
  });

  it("SAs on both ends but the probe gets nothing back: down (the SA lies)", () => {
    const failed = parsePing("192.168.2.254", "192.168.1.254", { exitCode: 1, stdout: fixture("b1stopped-ping.txt"), stderr: "" });
    const j = evaluateTunnel({ ends: [ss("up", "hq", "a"), ss("up", "branch1", "b", failed)], previous: null, now });
    expect(j.state).toBe("down");
    expect(j.reason).toMatch(/^Both ends report a security association but nothing crosses the tunnel/);
  });

  it("partial loss and a silent direction are degraded", () => {
    const hqObs = ss("up", "hq", "a");
    const b1 = (probe: ProbeResult | null) => ss("up", "branch1", "b", probe);
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

  it("counters that moved both ways between two recorded rounds keep the tunnel up", () => {
    const round = (sample: string) =>
      [
        observe("strongswan", "counters-moving", "hq", "a", null, sample),
        observe("strongswan", "counters-moving", "branch1", "b", null, sample),
      ] as const;
    const first = evaluateTunnel({ ends: round("sample-1"), previous: null, now });
    const second = evaluateTunnel({ ends: round("sample-2"), previous: first, now });
    expect(second.state).toBe("up");
    expect(second.childSpiIn).toBe(first.childSpiIn);
    expect(second.packetsIn! - first.packetsIn!).toBeGreaterThan(0);
    expect(second.packetsOut! - first.packetsOut!).toBeGreaterThan(0);
  });

  it("a probe that could not run is shown but does not judge the tunnel", () => {
    const broken = parsePing("192.168.2.254", "192.168.1.254", {
      exitCode: 2,
      stdout: "",
      stderr: "ping: bind: Cannot assign requested address",
    });
    const j = evaluateTunnel({ ends: [ss("up", "hq", "a"), ss("up", "branch1", "b", broken)], previous: null, now });
    expect(j.state).toBe("up");
    expect(j.reason).toBe(
      "Up on both ends; probe 192.168.2.254 → 192.168.1.254 could not run (ping: bind: Cannot assign requested address).",
    );
    expect(j.lossPct).toBeNull();
    expect(j.detail.probe).toEqual(broken);
  });

  it("a gateway that refuses SSH makes the tunnel unreachable, with the reason first", () => {
    const b = ss("up", "branch1", "b");
    const refused = (code: string, message: string): EndObservation => ({
      role: b.role,
      gatewayName: b.gatewayName,
      platform: b.platform,
      end: b.end,
      reached: false,
      failure: { code, message },
    });
    const hqObs = ss("up", "hq", "a");
    const key = evaluateTunnel({ ends: [hqObs, refused("host-key-changed", "Refused before authenticating: …")], previous: null, now });
    expect(key.state).toBe("unreachable");
    expect(key.reason).toBe(
      "Host key changed on branch1-gw: Refused before authenticating: … hq-gw can be managed and reports the tunnel up.",
    );
    expect(key.detail.ends[1]).toMatchObject({ state: "unreachable", error: "Refused before authenticating: …" });
    expect(key.detail.ends[0]!.state).toBe("up");
    const auth = evaluateTunnel({ ends: [hqObs, refused("auth-failed", "The gateway refused the SSH key.")], previous: null, now });
    expect(auth.reason).toMatch(/^Authentication refused on branch1-gw/);
  });

  it("branch1 silent on its management address while hq's probe gets nothing back: down, naming the WAN, not sshd", () => {
    const b = ss("one-end-up", "branch1", "b");
    const silent: EndObservation = {
      role: "b",
      gatewayName: b.gatewayName,
      platform: b.platform,
      end: b.end,
      reached: false,
      failure: { code: "timeout", message: "The gateway … did not complete the SSH handshake …", managementAddress: "198.18.0.12 port 22" },
    };
    const failed = parsePing("192.168.1.254", "192.168.2.254", { exitCode: 1, stdout: fixture("ping-no-answer.txt"), stderr: "" });
    const j = evaluateTunnel({ ends: [ss("one-end-up", "hq", "a", failed), silent], previous: null, now });
    expect(j.state).toBe("down");
    expect(j.reason).toBe(
      "branch1-gw does not answer on its management address 198.18.0.12 port 22 (SSH timed out); hq-gw can be managed and still holds the SA, but nothing crosses the tunnel (probe 192.168.1.254 → 192.168.2.254: 100% loss). branch1-gw itself or its WAN link is the likely cause (power, uplink, cable), not its SSH service alone.",
    );
    expect(j.detail.probe).toEqual(failed);
    expect(j.detail.ends[1]).toMatchObject({ state: "unreachable", error: "The gateway … did not complete the SSH handshake …" });
  });

  it("a site's LAN host that does not answer while the routers do: degraded, naming the host, the site and the path", () => {
    const path = { kind: "lan-host" as const, by: "hq-gw", site: "Branch 1" };
    const dead = parsePing("192.168.1.254", "192.168.2.10", { exitCode: 1, stdout: fixture("ping-no-answer.txt"), stderr: "" }, path);
    const hqObs = { ...ss("up", "hq", "a"), lanProbes: [dead] };
    const routers = okProbe("192.168.2.254", "192.168.1.254");
    const j = evaluateTunnel({ ends: [hqObs, ss("up", "branch1", "b", routers)], previous: null, now });
    expect(j.state).toBe("degraded");
    expect(j.reason).toBe(
      "The LAN host 192.168.2.10 at Branch 1 does not answer through the tunnel (probe LAN host 192.168.2.10 at Branch 1, from hq-gw (192.168.1.254): 100% loss), while the routers reach each other (probe 192.168.2.254 → 192.168.1.254: 0% loss, 0.091 ms average). Check that site's LAN: the router's LAN port, the switch, the host.",
    );
    // The chart follows the probe the user chose.
    expect(j.lossPct).toBe(100);
    expect(j.latencyMs).toBeNull();
    expect(j.detail.probes).toEqual([routers, dead]);

    const alive = parsePing("192.168.1.254", "192.168.2.10", { exitCode: 0, stdout: fixture("ping-ok.txt"), stderr: "" }, path);
    const up = evaluateTunnel({ ends: [{ ...hqObs, lanProbes: [alive] }, ss("up", "branch1", "b", routers)], previous: null, now });
    expect(up.state).toBe("up");
    expect(up.reason).toBe(
      "Up on both ends; probe 192.168.2.254 → 192.168.1.254: 0% loss, 0.091 ms average; probe LAN host 192.168.2.10 at Branch 1, from hq-gw (192.168.1.254): 0% loss, 0.091 ms average.",
    );
  });
});
