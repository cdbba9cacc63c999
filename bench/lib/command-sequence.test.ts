import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MODERN_PROFILE } from "@/lib/platforms/crypto-profiles";
import { tunnelEndsFor, type RenderableEnd } from "@/lib/rendering/tunnel-ends";
import { compareSequences, jobSequence, planFleet, playbookSequences, type FleetOp, type RouterPlan } from "./command-sequence";
import { playbookVars, type PlaybookStyle } from "./playbook-vars";

// A hub and three spokes on strongSwan (libipsec, as the lab's routers), hub-and-spoke tunnels.
const gateway = (i: number) => ({
  id: `g${i}`,
  name: i === 0 ? "hq-gw" : `s${i}-gw`,
  platform: "strongswan",
  publicIp: `198.18.0.${10 + i}`,
  lanAddress: `192.168.${i}.254`,
  ipsecStack: "libipsec",
  site: { name: `site${i}`, subnets: [{ cidr: `192.168.${i}.0/24` }] },
});
const tunnels = [1, 2, 3].map((i) =>
  tunnelEndsFor(
    {
      id: `t${i}`,
      connectionName: null,
      kind: "net-to-net",
      cryptoProfile: { spec: JSON.stringify(MODERN_PROFILE) },
      ends: [
        { role: "a", interfaceName: `ipsec${i}`, connectionName: null, gateway: gateway(0) },
        { role: "b", interfaceName: "ipsec0", connectionName: null, gateway: gateway(i) },
      ],
    },
    `old-key-${i}-0123456789abcdef0123456789`,
  ),
);
const fleet = { tunnels, routerOf: (e: RenderableEnd) => e.gatewayName.replace("-gw", "") };
const rotated = (e: RenderableEnd) => ({ ...e, end: { ...e.end, psk: `new-key-${e.end.tunnelId}-0123456789abcdef0123` } });
const plansOf = (op: FleetOp) => planFleet(op, fleet, rotated);
const nameOf = (i: number) => tunnels[i - 1]![0].end.connectionName;
const secretsOf = (i: number) => `/etc/swanctl/conf.d/${nameOf(i)}.secrets.conf`;
const playbook = (op: FleetOp, style: PlaybookStyle) =>
  readFileSync(path.resolve(import.meta.dirname, "..", "ansible", `${style === "expert" ? "expert-" : ""}${op}.yml`), "utf8");
const diffsOf = (op: FleetOp, style: PlaybookStyle, yamlText = playbook(op, style), plans: RouterPlan[] = plansOf(op)) =>
  compareSequences(op, plans, playbookSequences(yamlText, playbookVars(op, style, plans, "/stage").inventory));

describe("the job's plan per router", () => {
  it("rotation: the hub lists its SAs before loading its keys once; a spoke (less busy end of its tunnel) does not list before, and reauthenticates", () => {
    const [hub, spoke] = [plansOf("rotate").find((p) => p.router === "hq")!, plansOf("rotate").find((p) => p.router === "s1")!];
    expect(jobSequence("rotate", hub)).toEqual([
      `upload ${[1, 2, 3].map(secretsOf).join(" ")}`,
      "run swanctl --list-sas --raw",
      "run swanctl --load-creds",
      "run swanctl --list-sas --raw",
    ]);
    expect(jobSequence("rotate", spoke)).toEqual([
      `upload ${secretsOf(1)}`,
      "run swanctl --load-creds",
      `run swanctl --rekey --ike ${nameOf(1)} --reauth`,
      "run swanctl --list-sas --raw",
      "run ping -n -c 3 -i 0.2 -W 2 -I 192.168.1.254 192.168.0.254",
    ]);
    expect(spoke.files.every((f) => f.mode === 0o600 && f.content.includes("new-key-t1"))).toBe(true);
  });

  it("deploy: the hub loads once and initiates nothing; a spoke loads (its start_action starts the tunnel), verifies, pings", () => {
    const [hub, spoke] = [plansOf("deploy").find((p) => p.router === "hq")!, plansOf("deploy").find((p) => p.router === "s2")!];
    expect(hub.applyFirst.map((c) => c.argv.join(" "))).toEqual(["swanctl --load-all"]);
    expect(hub.applyLast).toEqual([]);
    expect(hub.pings).toEqual([]);
    expect(spoke.applyLast.map((c) => c.argv.join(" "))).toEqual(["swanctl --load-all"]);
    expect(spoke.verify.map((a) => a.join(" "))).toEqual(["swanctl --list-sas --raw", "ip -json route list table all"]);
  });
});

describe("command-sequence check: each playbook runs the job's commands per router, in order", () => {
  for (const op of ["deploy", "rotate"] as const)
    for (const style of ["straightforward", "expert"] as const)
      it(`${style} ${op}`, () => {
        expect(diffsOf(op, style)).toEqual([]);
      });

  it("names the router where a playbook lists SAs that the job does not (the rotation drift after db65be4)", () => {
    const drifted = playbook("rotate", "straightforward").replace(
      'loop: "{{ gw_list_before }}"',
      'loop: [["swanctl", "--list-sas", "--raw"]]',
    );
    const diffs = diffsOf("rotate", "straightforward", drifted);
    expect(diffs).toHaveLength(3);
    expect(diffs[0]).toMatch(/^s1, step 2: the job does "run swanctl --load-creds", the playbook does "run swanctl --list-sas --raw"/);
  });

  it("catches a verify with hard-coded commands rather than the platform's status commands", () => {
    const hardCoded = playbook("deploy", "straightforward").replace('loop: "{{ gw_status }}"', 'loop: [["swanctl", "--list-sas"]]');
    expect(diffsOf("deploy", "straightforward", hardCoded)).toHaveLength(4);
  });

  it("catches an expert script that leaves out one of the job's commands", () => {
    const plans = plansOf("deploy");
    const vars = playbookVars("deploy", "expert", plans, "/stage").inventory;
    const s1 = vars.hosts.s1!.gw_last as { script: string; argvs: string[][] };
    expect(s1.script).toContain("swanctl --load-all");
    s1.script = s1.script.replace("swanctl --load-all", "true");
    expect(() => playbookSequences(playbook("deploy", "expert"), vars)).toThrow(/gw_last.script does not run swanctl --load-all/);
  });

  it("refuses a module it cannot read rather than passing over it", () => {
    const extra = `${playbook("rotate", "expert")}\n- name: x\n  hosts: all\n  tasks:\n    - name: raw\n      ansible.builtin.raw: swanctl --list-sas\n`;
    expect(() => diffsOf("rotate", "expert", extra)).toThrow(/ansible.builtin.raw is not understood/);
  });
});
