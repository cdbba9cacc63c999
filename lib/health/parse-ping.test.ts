import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeProbePath, lossPctOf, parsePing, planProbes, probeArgvFor, probedPathsLabel } from "./parse-ping";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", name), "utf8");

describe("parsePing (recorded iputils output)", () => {
  it("reads counts and the average round trip", () => {
    const p = parsePing("192.168.1.254", "192.168.1.10", { exitCode: 0, stdout: fixture("ping-ok.txt"), stderr: "" });
    expect(p).toEqual({ from: "192.168.1.254", to: "192.168.1.10", sent: 3, received: 3, avgMs: 0.091, error: null });
    expect(lossPctOf(p)).toBe(0);
  });

  it("exit 1 with no answer is 100% loss, not an error", () => {
    const p = parsePing(null, "192.168.2.254", { exitCode: 1, stdout: fixture("ping-no-answer.txt"), stderr: "" });
    expect(p).toMatchObject({ sent: 3, received: 0, avgMs: null, error: null });
    expect(lossPctOf(p)).toBe(100);
  });

  it("a ping that could not run reports why", () => {
    const p = parsePing("192.168.1.254", "192.168.2.254", {
      exitCode: 2,
      stdout: "",
      stderr: "ping: bind: Cannot assign requested address\n",
    });
    expect(p.error).toBe("ping: bind: Cannot assign requested address");
    expect(lossPctOf(p)).toBeNull();
  });

  it("probes LAN to LAN for net-to-net and the peer's public address host-to-host", () => {
    const side = (ip: string, lan: string | null) => ({ publicIp: ip, lanAddress: lan, subnets: [] });
    const n2n = { kind: "net-to-net", local: side("198.18.0.11", "192.168.1.254"), remote: side("198.18.0.12", "192.168.2.254") } as const;
    expect(probeArgvFor(n2n).argv.slice(-3)).toEqual(["-I", "192.168.1.254", "192.168.2.254"]);
    const h2h = { kind: "host-to-host", local: side("198.18.0.11", null), remote: side("198.18.0.12", null) } as const;
    expect(probeArgvFor(h2h)).toMatchObject({ from: null, to: "198.18.0.12" });
    expect(probeArgvFor(h2h).argv.at(-1)).toBe("198.18.0.12");
  });
});

describe("planProbes", () => {
  const end = (role: "a" | "b", name: string, site: string, lan: string, peerLan: string, probeTarget: string | null) => ({
    role,
    gatewayName: name,
    siteName: site,
    probeTarget,
    end: {
      kind: "net-to-net" as const,
      local: { publicIp: "198.18.0.11", lanAddress: lan, subnets: [], ipsecStack: "kernel" as const },
      remote: { publicIp: "198.18.0.12", lanAddress: peerLan, subnets: [], ipsecStack: "kernel" as const },
    },
  });
  const hq = (t: string | null = null) => end("a", "hq-gw", "HQ", "192.168.1.254", "192.168.2.254", t);
  const b1 = (t: string | null = null) => end("b", "branch1-gw", "Branch 1", "192.168.2.254", "192.168.1.254", t);

  it("no probe target: router to router from the b end only, labelled so", () => {
    const p = planProbes([hq(), b1()], { bothRouterProbes: false });
    expect(p).toEqual([
      {
        role: "b",
        argv: ["ping", "-n", "-q", "-c", "5", "-i", "0.2", "-W", "1", "-I", "192.168.2.254", "192.168.1.254"],
        from: "192.168.2.254",
        to: "192.168.1.254",
        path: { kind: "routers", by: "branch1-gw", peer: "hq-gw" },
      },
    ]);
    expect(describeProbePath(p[0]!)).toBe("router to router, branch1-gw → hq-gw (192.168.2.254 → 192.168.1.254)");
  });

  it("a branch probe target is pinged by the OTHER end from its own LAN address; both ends probe when asked", () => {
    const p = planProbes([hq(), b1("192.168.2.10")], { bothRouterProbes: true });
    expect(p.map((x) => [x.role, x.path.kind, x.from, x.to])).toEqual([
      ["a", "routers", "192.168.1.254", "192.168.2.254"],
      ["b", "routers", "192.168.2.254", "192.168.1.254"],
      ["a", "lan-host", "192.168.1.254", "192.168.2.10"],
    ]);
    expect(p[2]!.argv.slice(-3)).toEqual(["-I", "192.168.1.254", "192.168.2.10"]);
    expect(describeProbePath(p[2]!)).toBe("LAN host 192.168.2.10 at Branch 1, from hq-gw (192.168.1.254)");
  });

  it("never sends a stored value that is not an address", () => {
    expect(planProbes([hq("192.168.1.10 -f"), b1()], { bothRouterProbes: false }).map((x) => x.path.kind)).toEqual(["routers"]);
  });

  it("probedPathsLabel names what a list's tunnel probes", () => {
    expect(
      probedPathsLabel("net-to-net", [
        { siteName: "HQ", probeTarget: null },
        { siteName: "Branch 1", probeTarget: "192.168.2.10" },
      ]),
    ).toEqual({
      text: "router ↔ router + LAN host 192.168.2.10 (Branch 1)",
      lanHosts: 1,
    });
    expect(probedPathsLabel("host-to-host", [{ siteName: "HQ", probeTarget: "192.168.1.10" }]).text).toBe("router ↔ router");
  });
});
