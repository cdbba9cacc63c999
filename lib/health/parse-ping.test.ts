import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lossPctOf, parsePing, probeArgvFor } from "./parse-ping";

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
