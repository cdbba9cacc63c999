// setkey-kernel.awk (a VM lab CentOS router's `setkey -D`) over what the guest kernel's
// `ip -s xfrm state list nokeys` printed on a CentOS router for its tunnel to a strongSwan
// router (recorded in the VM lab): the product's own setkey parser must read the same SAs back.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSetkeyDump } from "@/lib/platforms/centos-racoon/parse-setkey-dump";

const AWK = path.join(import.meta.dirname, "setkey-kernel.awk");
const XFRM = readFileSync(path.join(import.meta.dirname, "__fixtures__", "ip-s-xfrm-state-nokeys.txt"), "utf8");
const setkey = (input: string, tz = "UTC") =>
  execFileSync("awk", ["-f", AWK], { input, encoding: "utf8", env: { ...process.env, TZ: tz } });

describe("setkey -D on a VM lab CentOS router (setkey-kernel.awk)", () => {
  it("lists the kernel's SAs in setkey's layout, read back by the product's parser", () => {
    const sas = parseSetkeyDump(setkey(XFRM));
    expect(sas.map((s) => [s.source, s.destination, s.protocol, s.mode, s.spi, s.reqid, s.state])).toEqual([
      ["198.18.188.15", "198.18.188.14", "esp", "tunnel", "cc01400f", 1, "mature"],
      ["198.18.188.14", "198.18.188.15", "esp", "tunnel", "c68dd368", 1, "mature"],
      // A second inbound SA the responder installed, never used ("use -").
      ["198.18.188.14", "198.18.188.15", "esp", "tunnel", "c13e7876", 1, "mature"],
    ]);
    expect(sas.map((s) => s.algorithms)).toEqual([
      ["aes-cbc", "hmac-sha256"],
      ["aes-cbc", "hmac-sha256"],
      ["aes-cbc", "hmac-sha256"],
    ]);
    expect(sas.map((s) => s.bytes)).toEqual([756, 756, 0]);
    // The unused SA was added 4 s before the others: setkey's diff: keeps that order.
    expect(sas[2]!.ageSeconds! - sas[0]!.ageSeconds!).toBe(4);
    // Added 2026-12-07 02:09:04 (router time): an age in seconds, never negative.
    expect(sas.every((s) => s.ageSeconds !== null && s.ageSeconds >= 0)).toBe(true);
  });

  it("prints no key and says so when the SAD is empty", () => {
    expect(setkey(XFRM)).not.toMatch(/0x[0-9a-f]{16,}|Keys hidden/);
    expect(setkey("")).toBe("No SAD entries.\n");
    expect(parseSetkeyDump(setkey(""))).toEqual([]);
  });
});
