import { describe, expect, it } from "vitest";
import { centosRacoonPlatform } from "@/lib/platforms/centos-racoon/platform";
import { strongswanPlatform } from "@/lib/platforms/strongswan/platform";
import { libreswanPlatform } from "@/lib/platforms/libreswan/platform";
import { MODERN_IKEV1_PROFILE, MODERN_PROFILE } from "@/lib/platforms/crypto-profiles";
import { judge, readCase } from "@/lib/platforms/recorded-cases";
import type { IkeSa, TunnelEnd } from "@/lib/platforms/contract";
import { findNewIkeSa, planKeySwitch, snapshotSas, tunnelIkeSas, wasDown } from "./key-switch";

const end = {
  connectionName: "gw-t1",
  interfaceName: "ipsec0",
  kind: "host-to-host",
  local: { publicIp: "198.18.0.1" },
  remote: { publicIp: "198.18.0.2" },
} as TunnelEnd;
const strong = (role: "a" | "b") => ({ role, platform: strongswanPlatform, end });
const centos = (role: "a" | "b") => ({ role, platform: centosRacoonPlatform, end });
const withProfile = (profile: typeof MODERN_PROFILE) => ({ ...end, profile });
const libre = (role: "a" | "b", profile = MODERN_PROFILE) => ({ role, platform: libreswanPlatform, end: withProfile(profile) });
const strongOn = (role: "a" | "b", profile = MODERN_PROFILE) => ({ role, platform: strongswanPlatform, end: withProfile(profile) });
/** Each command as its program and options: "ipsec --down", "swanctl --rekey --ike --reauth". */
const options = (ops: ReturnType<typeof planKeySwitch>) =>
  ops.map((o) => `${o.role}: ${o.commands.map((c) => [c.argv[0], ...c.argv.filter((x) => x.startsWith("--"))].join(" ")).join(", ")}`);
const show = (ops: ReturnType<typeof planKeySwitch>) =>
  ops.map((o) => `${o.role}: ${o.commands.map((c) => c.argv.slice(0, 2).join(" ")).join(", ")}`);

describe("planKeySwitch", () => {
  it("strongSwan pair: load on both, then one reauth (make-before-break)", () => {
    expect(show(planKeySwitch(strong("a"), strong("b")))).toEqual([
      "a: swanctl --load-creds",
      "b: swanctl --load-creds",
      "a: swanctl --rekey",
    ]);
    expect(planKeySwitch(strong("a"), strong("b"))[2]!.commands[0]!.argv).toContain("--reauth");
  });
  it("strongSwan pair: the reauthenticating end can be the second one (a hub leaves it to its spokes)", () => {
    expect(show(planKeySwitch(strong("a"), strong("b"), "b"))).toEqual([
      "a: swanctl --load-creds",
      "b: swanctl --load-creds",
      "b: swanctl --rekey",
    ]);
  });
  it("only the key loads act on the whole router", () => {
    expect(planKeySwitch(strong("a"), strong("b")).map((o) => o.gatewayWide)).toEqual([true, true, false]);
    expect(planKeySwitch(strong("a"), centos("b"), "b").map((o) => o.gatewayWide)).toEqual([true, false]);
    expect(planKeySwitch(centos("a"), centos("b")).some((o) => o.gatewayWide)).toBe(false);
  });
  it("mixed pair: strongSwan loads the key, the CentOS end cycles and must come up", () => {
    expect(show(planKeySwitch(strong("a"), centos("b")))).toEqual([
      "a: swanctl --load-creds",
      "b: /sbin/ifdown ipsec0, /sbin/ifup ipsec0, ping -n",
    ]);
    expect(show(planKeySwitch(centos("a"), strong("b")))).toEqual([
      "b: swanctl --load-creds",
      "a: /sbin/ifdown ipsec0, /sbin/ifup ipsec0, ping -n",
    ]);
  });
  it("strongSwan ↔ Libreswan (IKEv2): both load the key, strongSwan reauthenticates and Libreswan answers with the new key (no stop)", () => {
    expect(options(planKeySwitch(strongOn("a"), libre("b")))).toEqual([
      "a: swanctl --load-creds",
      "b: ipsec --rereadsecrets",
      "a: swanctl --rekey --ike --reauth",
    ]);
    // The make-before-break end reauthenticates even where a fleet would pick the other one.
    expect(options(planKeySwitch(libre("a"), strongOn("b"), "a"))).toEqual([
      "a: ipsec --rereadsecrets",
      "b: swanctl --load-creds",
      "b: swanctl --rekey --ike --reauth",
    ]);
    expect(planKeySwitch(libre("a"), strongOn("b"))[1]!.gatewayWide).toBe(true);
  });
  it("strongSwan ↔ Libreswan on IKEv1 (an answer not shown to hold): Libreswan stops and starts", () => {
    expect(options(planKeySwitch(strongOn("a", MODERN_IKEV1_PROFILE), libre("b", MODERN_IKEV1_PROFILE)))).toEqual([
      "a: swanctl --load-creds",
      "b: ipsec --rereadsecrets",
      "b: ipsec --down, ipsec --asynchronous --up",
    ]);
  });
  it("Libreswan pair: nobody can reauthenticate, so both load, then stop and start with the peer down first", () => {
    expect(options(planKeySwitch(libre("a"), libre("b")))).toEqual([
      "a: ipsec --rereadsecrets",
      "b: ipsec --rereadsecrets",
      "b: ipsec --down",
      "a: ipsec --down, ipsec --asynchronous --up",
      "b: ipsec --asynchronous --up",
    ]);
  });
  it("CentOS pair: peer down first, so the first ifup fails fast; the last ifup must succeed", () => {
    expect(show(planKeySwitch(centos("a"), centos("b")))).toEqual([
      "b: /sbin/ifdown ipsec0",
      "a: /sbin/ifdown ipsec0, /sbin/ifup ipsec0, ping -n",
      "b: /sbin/ifup ipsec0, ping -n",
    ]);
  });
});

/** The IKE SAs a strongSwan lab router listed in a recorded case, as the platform's parseSaList reads them. */
function recordedSas(caseName: string, label: string): { sas: IkeSa[]; peer: string } {
  const c = readCase("strongswan", caseName);
  const { saList } = judge(strongswanPlatform, c.ends[label]!, c.samples[0]![1]);
  return { sas: saList!, peer: c.ends[label]!.end.remote.publicIp };
}
const up = recordedSas("up", "hq");
const sa = (over: Partial<IkeSa>): IkeSa => ({ ...up.sas[0]!, ...over });

describe("findNewIkeSa", () => {
  const old = sa({});
  const before = snapshotSas([old]);

  it("recorded output parses into this tunnel's SA by peer address", () => {
    expect(tunnelIkeSas(up.sas, up.peer)).toHaveLength(1);
    expect(tunnelIkeSas(up.sas, "198.18.100.9")).toHaveLength(0);
  });
  it("accepts an SA with new SPIs and unique id, established since the switch", () => {
    const fresh = sa({ uniqueId: 99, initiatorSpi: "aaaa", responderSpi: "bbbb", establishedSecondsAgo: 0 });
    const proof = findNewIkeSa([old, fresh], before, 1.2);
    expect(proof).toMatchObject({ ok: true, sa: { uniqueId: 99 } });
  });
  it("mid-reauthentication (recorded: both IKE SAs listed) never takes the old SA as proof; the new one proves only once established", () => {
    const { sas } = recordedSas("rekey-in-progress", "branch1");
    const [oldest, newer] = [...sas].sort((x, y) => x.uniqueId - y.uniqueId);
    const proof = findNewIkeSa(sas, snapshotSas([oldest!]), 1);
    const newerProves = newer!.state === "ESTABLISHED" && newer!.children.some((c) => c.state === "INSTALLED");
    expect(proof.ok).toBe(newerProves);
    if (proof.ok) expect(proof.sa.uniqueId).toBe(newer!.uniqueId);
    // Whatever the moment, the old SA alone never is one.
    expect(findNewIkeSa([oldest!], snapshotSas([oldest!]), 1).ok).toBe(false);
  });
  it("rejects the old SA alone: a PSK mismatch under make_before_break looks exactly like this", () => {
    expect(findNewIkeSa([old], before, 5)).toMatchObject({ ok: false, detail: expect.stringMatching(/only the old IKE SA/) });
    // Recorded: hq reauthenticated against a peer holding a wrong key; its listing still shows only the SA from before.
    const mismatch = recordedSas("auth-failed-reauth", "hq").sas;
    expect(findNewIkeSa(mismatch, snapshotSas(mismatch), 3)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/only the old IKE SA/),
    });
  });
  it("rejects an SA older than the switch, one still connecting, and one without an installed child", () => {
    expect(findNewIkeSa([sa({ uniqueId: 104, initiatorSpi: "c", establishedSecondsAgo: 60 })], before, 2).ok).toBe(false);
    expect(findNewIkeSa([sa({ uniqueId: 105, initiatorSpi: "d", state: "CONNECTING" })], before, 2).ok).toBe(false);
    expect(findNewIkeSa([sa({ uniqueId: 106, initiatorSpi: "e", children: [] })], before, 2).ok).toBe(false);
  });
});

describe("planKeySwitch for a tunnel that is down (no IKE SA to reauthenticate)", () => {
  it("strongSwan pair: load on both, then START from the chosen end instead of a reauth", () => {
    const ops = planKeySwitch(strong("a"), strong("b"), "b", { down: true });
    expect(ops.map((o) => o.role)).toEqual(["a", "b", "b"]);
    expect(ops[2]!.commands).toEqual(strongswanPlatform.keySwitch.start(end));
    expect(ops.flatMap((o) => o.commands)).not.toContainEqual(strongswanPlatform.keySwitch.reauthenticate(end)[0]);
  });
  it("strongSwan ↔ Libreswan (IKEv2): the make-before-break end starts it", () => {
    const ops = planKeySwitch(strongOn("a"), libre("b"), "a", { down: true });
    expect(ops.at(-1)!.commands).toEqual(strongswanPlatform.keySwitch.start(withProfile(MODERN_PROFILE)));
  });
  it("wasDown: an end listed before the switch with no established IKE SA", () => {
    const est = { state: "ESTABLISHED" } as IkeSa;
    const connecting = { state: "CONNECTING" } as IkeSa;
    expect(wasDown({ b: snapshotSas([]) })).toBe(true);
    expect(wasDown({ b: snapshotSas([connecting]) })).toBe(true);
    expect(wasDown({ b: snapshotSas([est]) })).toBe(false);
    expect(wasDown({})).toBe(false);
  });
});
