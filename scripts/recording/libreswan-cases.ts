// Cases only the libreswan platform records (on the VM lab, real kernel IPsec): IKEv1 as
// Debian's pluto accepts it only after the install note's change, and a key switch as a
// rotation runs it; and how Libreswan's rekey-in-progress is caught.
import type { CryptoProfile, TunnelEnd } from "@/lib/platforms/contract";
import { MODERN_IKEV1_PROFILE } from "@/lib/platforms/crypto-profiles";
import type { RecordedResult, Sample } from "@/lib/platforms/recorded-cases";
import { planKeySwitch } from "@/lib/rotation/key-switch";
import { at, ikeSas, lanPing, upPair, type CaseScript, type Recording } from "./case-support";
import { sleep, type Rig } from "./lab-tunnels";
import { acceptIkev1 } from "./libreswan-router";

/**
 * Libreswan cannot reauthenticate on demand (a new key means --down/--up, which never
 * shows two IKE SAs), but it rekeys: the new IKE SA negotiates beside the old one, which
 * is deleted once the new one is up. That lasts well under a second, so the router
 * records itself back to back while the rekey runs (Rig.recordDuring), rekey after rekey
 * until it has caught both moments: the new IKE SA negotiating (sample-1), and the new
 * one established beside the old one not yet deleted (sample-2).
 */
export async function libreswanIkeRekey(rig: Rig, end: TunnelEnd): Promise<Recording> {
  const rekey = ["ipsec", "whack", "--rekey-ike", "--name", end.connectionName];
  let negotiating: RecordedResult[] | undefined;
  let replaced: RecordedResult[] | undefined;
  for (let attempt = 1; attempt <= 8 && !(negotiating && replaced); attempt++) {
    const { rounds, trigger } = await rig.recordDuring("branch1", rekey, 1500);
    const two = rounds.map((outputs) => ({ outputs, sas: ikeSas(rig, end, outputs) })).filter((r) => r.sas.length >= 2);
    const caughtNegotiating = two.find((r) => r.sas.some((sa) => sa.state === "REKEYING"));
    const caughtReplaced = two.find((r) => r.sas.every((sa) => sa.state !== "REKEYING"));
    negotiating ??= caughtNegotiating?.outputs;
    replaced ??= caughtReplaced?.outputs;
    const said = trigger.stdout
      .trim()
      .split("\n")
      .map((l) => l.trim())
      .join(" | ");
    const caught =
      [caughtNegotiating && "the new IKE SA negotiating", caughtReplaced && "both established"].filter(Boolean).join(" and ") || "nothing";
    rig.step(
      `branch1: ${rekey.join(" ")} → exit ${trigger.exitCode}: ${said} (attempt ${attempt}: ${rounds.length} recordings while it ran and 1.5 s after; two IKE SAs with ${caught})`,
    );
    await sleep(1500);
  }
  const samples: [string, Sample][] = [];
  if (negotiating) samples.push(["sample-1", { branch1: negotiating }]);
  if (replaced) samples.push([`sample-${samples.length + 1}`, { branch1: replaced }]);
  if (!samples.length) throw new Error("two IKE SAs were never caught during 8 IKE SA rekeys");
  return { ends: { branch1: at("branch1", end) }, samples };
}

/** hq ↔ branch1 on an IKEv1 profile, which Debian's pluto loads only with ikev1-policy=accept. */
async function ikev1Pair(rig: Rig, profile: CryptoProfile): Promise<Recording> {
  for (const r of ["hq", "branch1"]) await acceptIkev1(rig, r);
  const t = rig.tunnel("t1", "hq", "branch1", "net-to-net", profile);
  await rig.deploy(["hq", "branch1"]);
  await rig.waitUp(["hq", "branch1"]);
  await lanPing(rig, 3);
  return {
    ends: { hq: at("hq", t.hq!), branch1: at("branch1", t.branch1!) },
    samples: [["sample-1", await rig.sample(["hq", "branch1"])]],
  };
}

export const LIBRESWAN_CASES: CaseScript[] = [
  {
    name: "ikev1",
    description:
      "hq ↔ branch1 net-to-net with the Modern IKEv1 profile (main mode, PFS), deployed and up, 3 pings from hq's LAN host to branch1's; before, both routers got `ikev1-policy=accept` in config setup (the install note) and pluto was restarted. Recorded on both ends.",
    platforms: ["libreswan"],
    run: (rig) => ikev1Pair(rig, MODERN_IKEV1_PROFILE),
  },
  {
    name: "ikev1-aggressive-ipcomp",
    description:
      "As ikev1, with aggressive mode and IPComp (the Modern IKEv1 profile with exchangeModes [aggressive] and esp.compression deflate): ESP in transport mode inside an IPComp tunnel-mode SA. Recorded on both ends.",
    platforms: ["libreswan"],
    run: (rig) =>
      ikev1Pair(rig, {
        ...MODERN_IKEV1_PROFILE,
        name: "Modern IKEv1 (aggressive) with IPComp",
        exchangeModes: ["aggressive"],
        esp: { ...MODERN_IKEV1_PROFILE.esp, compression: "deflate" },
      }),
  },
  {
    name: "key-switched",
    description:
      "hq ↔ branch1 up (sample-1); both routers got a new pre-shared key in their secret files, and the key switch ran as a rotation plans it for two ends without make-before-break (planKeySwitch in lib/rotation/key-switch.ts: load on both, branch1 stop, hq stop and start, branch1 start). Recorded on both ends once up again (sample-2).",
    platforms: ["libreswan"],
    async run(rig) {
      const e = await upPair(rig);
      const before = await rig.sample(["hq", "branch1"]);
      const switched = { hq: { ...e.hq, psk: "recorded-lab-key-t1-new" }, branch1: { ...e.branch1, psk: "recorded-lab-key-t1-new" } };
      for (const r of ["hq", "branch1"] as const)
        await rig.writeFiles(
          r,
          rig.platform.render(switched[r]).filter((f) => f.secret),
        );
      const ops = planKeySwitch(
        { role: "a", platform: rig.platform, end: switched.hq },
        { role: "b", platform: rig.platform, end: switched.branch1 },
      );
      // As the rotation job runs them: every command of every op (no end is skipped as peer-pending).
      for (const op of ops) await rig.run(op.role === "a" ? "hq" : "branch1", op.commands);
      await rig.waitUp(["hq", "branch1"]);
      const samples: [string, Sample][] = [
        ["sample-1", before],
        ["sample-2", await rig.sample(["hq", "branch1"])],
      ];
      // Who initiated what after the loads: pluto's own lines (serials, IKE SA or Child SA).
      for (const r of ["hq", "branch1"]) await rig.ikeLog(r, "initiating|established (IKE|Child) SA|REVIVE|must remain up", 12);
      return { ends: { hq: at("hq", switched.hq), branch1: at("branch1", switched.branch1) }, samples };
    },
  },
];
