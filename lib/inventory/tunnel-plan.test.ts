import { describe, expect, it } from "vitest";
import { cryptoProfileSchema, MODERN_IKEV1_PROFILE } from "@/lib/platforms/crypto-profiles";
import { profileFacts } from "./gateway-facts";
import { pairKeyOf, planTunnel, type GatewayFacts } from "./tunnel-plan";

const gw = (over: Partial<GatewayFacts>): GatewayFacts => ({
  id: "g1",
  name: "hq-gw",
  platform: "strongswan",
  publicIp: "198.18.0.10",
  subnets: ["192.168.1.0/24"],
  usedInterfaces: [],
  pairKeys: [],
  phase2: [],
  ...over,
});
const modern = { name: "Modern", ikeVersion: 2, phase2Signature: "p2-modern" };

describe("planTunnel", () => {
  it("picks the lowest free ipsecN on each end", () => {
    const plan = planTunnel({ kind: "net-to-net", a: gw({ id: "a", usedInterfaces: ["ipsec0"] }), b: gw({ id: "b" }), profile: modern });
    expect(plan).toEqual({ ok: true, pairKey: "a:b", interfaceA: "ipsec1", interfaceB: "ipsec0" });
  });
  it("refuses a tunnel from a gateway to itself", () => {
    const plan = planTunnel({ kind: "net-to-net", a: gw({}), b: gw({}), profile: modern });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.errors.peer).toMatch(/two different gateways/);
  });
  it("refuses a second tunnel between the same pair, in either order", () => {
    const key = pairKeyOf("b", "a");
    const plan = planTunnel({
      kind: "host-to-host",
      a: gw({ id: "a", pairKeys: [key] }),
      b: gw({ id: "b", name: "branch" }),
      profile: modern,
    });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.errors.peer).toBe("There is already a tunnel between hq-gw and branch");
  });
  it("refuses an interface name already used on that gateway", () => {
    const plan = planTunnel({
      kind: "net-to-net",
      a: gw({ id: "a", usedInterfaces: ["ipsec3"] }),
      b: gw({ id: "b" }),
      interfaceA: "ipsec3",
      profile: modern,
    });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.errors.interfaceA).toMatch(/ipsec3 is already used/);
  });
  it("requires IKEv1 on racoon gateways and one subnet per side", () => {
    const plan = planTunnel({
      kind: "net-to-net",
      a: gw({ id: "a", platform: "centos-racoon", subnets: ["10.1.0.0/24", "10.2.0.0/24"] }),
      b: gw({ id: "b" }),
      profile: modern,
    });
    expect(plan.ok).toBe(false);
    if (!plan.ok) {
      expect(plan.errors.cryptoProfileId).toMatch(/IKEv1 only/);
      expect(plan.errors.peer).toMatch(/one subnet per tunnel/);
    }
  });
  it("refuses a profile a gateway's platform cannot run, with the platform's reason (racoon has no DH 19)", () => {
    const dh19 = cryptoProfileSchema.parse({
      ...MODERN_IKEV1_PROFILE,
      name: "IKEv1 ECP",
      ike: { ...MODERN_IKEV1_PROFILE.ike, dhGroup: 19 },
    });
    const facts = profileFacts({ name: dh19.name, spec: JSON.stringify(dh19) });
    const racoon = gw({ id: "a", name: "branch-gw", platform: "centos-racoon" });
    const plan = planTunnel({ kind: "net-to-net", a: racoon, b: gw({ id: "b" }), profile: facts });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.errors.cryptoProfileId).toMatch(/^branch-gw runs CentOS \/ racoon, which cannot run “IKEv1 ECP”: .*19/);
    // strongSwan runs it: two strongSwan gateways may use it.
    expect(planTunnel({ kind: "net-to-net", a: gw({ id: "a" }), b: gw({ id: "b" }), profile: facts }).ok).toBe(true);
  });

  it("keeps one phase 2 per racoon router", () => {
    const v1 = { name: "Modern IKEv1 (racoon)", ikeVersion: 1, phase2Signature: "p2-a" };
    const racoon = gw({ id: "a", platform: "centos-racoon", phase2: [{ profileName: "Article (legacy)", signature: "p2-legacy" }] });
    const plan = planTunnel({ kind: "net-to-net", a: racoon, b: gw({ id: "b" }), profile: v1 });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.errors.cryptoProfileId).toMatch(/phase 2 .*Article \(legacy\)/);
    expect(
      planTunnel({
        kind: "net-to-net",
        a: { ...racoon, phase2: [{ profileName: "x", signature: "p2-a" }] },
        b: gw({ id: "b" }),
        profile: v1,
      }).ok,
    ).toBe(true);
  });
  it("lets host-to-host tunnels ignore subnets", () => {
    const plan = planTunnel({ kind: "host-to-host", a: gw({ id: "a", subnets: [] }), b: gw({ id: "b", subnets: [] }), profile: modern });
    expect(plan.ok).toBe(true);
  });
  it("refuses a net-to-net tunnel when a LAN of one end holds either end's public address", () => {
    const a = gw({ id: "a", name: "bergen-gw", publicIp: "198.18.250.30", subnets: ["198.18.250.16/29"] });
    const b = gw({ id: "b", name: "oslo-gw", publicIp: "198.18.250.20", subnets: ["10.2.0.0/24"] });
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const plan = planTunnel({ kind: "net-to-net", a: x, b: y, profile: modern });
      expect(plan.ok).toBe(false);
      if (!plan.ok)
        expect(plan.errors.peer).toMatch(/bergen-gw's LAN 198\.18\.250\.16\/29 contains 198\.18\.250\.20, the public address of oslo-gw/);
    }
    const own = planTunnel({ kind: "net-to-net", a: gw({ id: "a", publicIp: "10.9.0.1", subnets: ["10.9.0.0/24"] }), b, profile: modern });
    expect(own.ok ? "" : own.errors.peer).toMatch(/contains 10\.9\.0\.1, its own public address/);
    // Host-to-host tunnels carry no LAN: nothing to clash.
    expect(planTunnel({ kind: "host-to-host", a, b, profile: modern }).ok).toBe(true);
  });
});
