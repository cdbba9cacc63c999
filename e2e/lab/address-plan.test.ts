import { describe, expect, it } from "vitest";
import { chooseWanCidr, fnv1a, labCidrs, parsePlatforms, planLab, routerName, validateLabName, wanSlotCidr } from "./address-plan";
import { cidrContains, cidrsOverlap } from "../../lib/domain/ip";

describe("wan /24 choice", () => {
  it("is deterministic and inside 198.18.0.0/15", () => {
    const a = chooseWanCidr("gwlab", () => true);
    expect(a).toBe(chooseWanCidr("gwlab", () => true));
    expect(cidrsOverlap(a!, "198.18.0.0/15")).toBe(true);
    expect(a).toMatch(/^198\.1[89]\.\d+\.0\/24$/);
  });
  it("gives different labs different /24s (for these names)", () => {
    expect(chooseWanCidr("gwlab", () => true)).not.toBe(chooseWanCidr("gwtest-lab", () => true));
  });
  it("skips /24s in use and wraps around the 512 slots", () => {
    const first = chooseWanCidr("gwlab", () => true)!;
    const second = chooseWanCidr("gwlab", (c) => c !== first);
    expect(second).not.toBe(first);
    expect(chooseWanCidr("gwlab", () => false)).toBeNull();
    expect(wanSlotCidr(511)).toBe("198.19.255.0/24");
    expect(wanSlotCidr(512)).toBe("198.18.0.0/24");
  });
  it("fnv1a matches the reference vector", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
  });
});

describe("planLab", () => {
  const plan = planLab({ name: "gwlab", sites: 4, platforms: ["strongswan", "centos-racoon"], wanCidr: "198.18.7.0/24" });
  it("names routers hq, branch1, … and alternates platforms", () => {
    expect(plan.routers.map((r) => r.name)).toEqual(["hq", "branch1", "branch2", "branch3"]);
    expect(plan.routers.map((r) => r.platform)).toEqual(["strongswan", "centos-racoon", "strongswan", "centos-racoon"]);
    expect(routerName(1)).toBe("hq");
  });
  it("puts routers and the root end in the WAN /24, LANs in distinct 192.168 /24s", () => {
    expect(plan.wan.rootAddress).toBe("198.18.7.1");
    expect(plan.wan.bridgeAddress).toBe("198.18.7.254");
    expect(plan.routers[0]).toMatchObject({
      publicIp: "198.18.7.11",
      lanCidr: "192.168.1.0/24",
      lanAddress: "192.168.1.254",
      lanHost: { ip: "192.168.1.10" },
    });
    const lans = plan.routers.map((r) => r.lanCidr);
    expect(new Set(lans).size).toBe(lans.length);
    for (const r of plan.routers) {
      expect(cidrContains(plan.wan.cidr, r.publicIp)).toBe(true);
      expect(cidrsOverlap(r.lanCidr, "192.168.0.0/16")).toBe(true);
    }
    expect(labCidrs(plan)).toEqual(["198.18.7.0/24", ...lans]);
  });
  it("prefixes namespaces with the lab name and keeps the root veth name short", () => {
    expect(plan.routers[1]!.netns).toBe("gwlab-branch1");
    expect(plan.routers[1]!.lanHost.netns).toBe("gwlab-branch1-lan");
    expect(plan.wan.netns).toBe("gwlab-wan");
    expect(plan.wan.rootVeth.length).toBeLessThanOrEqual(15);
    const other = planLab({ name: "gwtest-x", sites: 1, platforms: ["strongswan"], wanCidr: "198.19.1.0/24" });
    expect(other.wan.rootVeth).not.toBe(plan.wan.rootVeth);
  });
  it("handles 200 sites and rejects bad input", () => {
    const big = planLab({ name: "gwlab", sites: 200, platforms: ["strongswan"], wanCidr: "198.18.7.0/24" });
    expect(big.routers.at(-1)).toMatchObject({ publicIp: "198.18.7.210", lanCidr: "192.168.200.0/24" });
    expect(() => planLab({ name: "gwlab", sites: 201, platforms: ["strongswan"], wanCidr: "198.18.7.0/24" })).toThrow();
    expect(() => planLab({ name: "gwlab", sites: 0, platforms: ["strongswan"], wanCidr: "198.18.7.0/24" })).toThrow();
    expect(() => planLab({ name: "gwlab", sites: 1, platforms: ["strongswan"], wanCidr: "203.0.113.0/24" })).toThrow(/outside/);
    expect(() => planLab({ name: "gwlab", sites: 1, platforms: ["strongswan"], wanCidr: "198.18.0.0/16" })).toThrow(/\/24/);
  });
});

describe("names and platforms", () => {
  it("validates lab names", () => {
    expect(validateLabName("gwlab")).toBeNull();
    expect(validateLabName("gwtest-42")).toBeNull();
    expect(validateLabName("Bad")).not.toBeNull();
    expect(validateLabName("a b")).not.toBeNull();
    expect(validateLabName("x".repeat(25))).not.toBeNull();
  });
  it("parses --platforms", () => {
    expect(parsePlatforms(undefined)).toEqual(["strongswan"]);
    expect(parsePlatforms("strongswan, centos-racoon")).toEqual(["strongswan", "centos-racoon"]);
    expect(parsePlatforms("libreswan")).toEqual(["libreswan"]);
    expect(() => parsePlatforms("racoon")).toThrow(/unknown platform/);
  });
});
