// Pure: in which order the two ends run their platform's rotate commands so both end
// up on the new key with the shortest interruption, and how a new IKE SA is told
// apart from the one that ran before (the proof that the new key authenticated).
import type { Command, PlatformId } from "@/lib/platforms/contract";
import type { IkeSa } from "@/lib/platforms/strongswan/parse-list-sas";
import type { EndRole } from "@/lib/rotation/rotation-state";

export type SwitchOp = {
  role: EndRole;
  commands: Command[];
  /** ifup on the first centos end cannot come up yet: its peer is cycled next (exit 2). */
  tolerateIfupFailure: boolean;
  why: string;
};

type EndCommands = { role: EndRole; platform: PlatformId; rotate: Command[] };

const isCmd = (c: Command, name: string) => c.argv[0] === name || c.argv[0]?.endsWith(`/${name}`);
const split = (cmds: Command[], name: string) => ({ match: cmds.filter((c) => isCmd(c, name)), rest: cmds.filter((c) => !isCmd(c, name)) });

/**
 * Sequential steps. strongSwan: `--load-creds` makes the key known without touching
 * the running SA; `--rekey --reauth` (make_before_break) then builds a new IKE SA
 * with it before the old one goes: no packet lost. CentOS: ifup rereads keys-ipsecN
 * only by cycling the interface, so traffic stops between ifdown and the peer's ifup.
 * With two CentOS ends the peer goes down FIRST: the first end's ifup then meets an
 * unconfigured peer and fails at once (NO_PROPOSAL_CHOSEN), instead of waiting out
 * a main-mode timeout against a peer that still has the old key.
 */
export function planKeySwitch(a: EndCommands, b: EndCommands): SwitchOp[] {
  const strong = [a, b].filter((e) => e.platform === "strongswan");
  const centos = [a, b].filter((e) => e.platform !== "strongswan");
  const load = (e: EndCommands): SwitchOp => ({
    role: e.role,
    commands: e.rotate.filter((c) => c.argv.includes("--load-creds")),
    tolerateIfupFailure: false,
    why: "load the key; the running SA is untouched",
  });
  if (centos.length === 0) {
    const reauth = a.rotate.filter((c) => !c.argv.includes("--load-creds"));
    return [load(a), load(b), { role: a.role, commands: reauth, tolerateIfupFailure: false, why: "reauthenticate: a new IKE SA with the new key, then the old one goes" }];
  }
  if (centos.length === 1) {
    const c = centos[0]!;
    return [load(strong[0]!), { role: c.role, commands: c.rotate, tolerateIfupFailure: false, why: "cycle the interface: ifup negotiates with the new key" }];
  }
  const { match: downB } = split(b.rotate, "ifdown");
  const { match: upB } = split(b.rotate, "ifup");
  return [
    { role: b.role, commands: downB, tolerateIfupFailure: false, why: "peer down first so the next ifup fails fast" },
    { role: a.role, commands: a.rotate, tolerateIfupFailure: true, why: "cycle: rereads keys; the peer is configured next" },
    { role: b.role, commands: upB, tolerateIfupFailure: false, why: "peer up with the new key: its exit 0 proves both ends agree" },
  ];
}

/** The IKE SAs of this tunnel on one router (one tunnel per gateway pair: match the peer). */
export function tunnelIkeSas(sas: IkeSa[], peerPublicIp: string): IkeSa[] {
  return sas.filter((sa) => sa.remote.address === peerPublicIp);
}

export type SaSnapshot = { spis: string[]; uniqueIds: number[] };

export function snapshotSas(sas: IkeSa[]): SaSnapshot {
  return { spis: sas.map((s) => `${s.initiatorSpi}_${s.responderSpi}`), uniqueIds: sas.map((s) => s.uniqueId) };
}

export type NewSaProof = { ok: true; sa: IkeSa; detail: string } | { ok: false; detail: string };

/**
 * A new IKE SA: ESTABLISHED, with an INSTALLED child, SPIs and unique id never seen
 * before the switch, and established no earlier than the switch began. A PSK
 * mismatch under make_before_break leaves only the old SA: not a proof.
 */
export function findNewIkeSa(after: IkeSa[], before: SaSnapshot, secondsSinceSwitch: number): NewSaProof {
  const established = after.filter((s) => s.state === "ESTABLISHED" && s.children.some((c) => c.state === "INSTALLED"));
  const fresh = established.filter((s) => !before.spis.includes(`${s.initiatorSpi}_${s.responderSpi}`) && !before.uniqueIds.includes(s.uniqueId));
  const recent = fresh.filter((s) => s.establishedSecondsAgo === null || s.establishedSecondsAgo <= Math.ceil(secondsSinceSwitch) + 1);
  const sa = recent[0];
  if (sa) {
    return { ok: true, sa, detail: `new IKE SA #${sa.uniqueId} ${sa.initiatorSpi}_i ${sa.responderSpi}_r, established ${sa.establishedSecondsAgo ?? "?"}s ago` };
  }
  if (!established.length) return { ok: false, detail: "no established IKE SA with an installed CHILD SA" };
  if (!fresh.length) return { ok: false, detail: `only the old IKE SA (#${established.map((s) => s.uniqueId).join(", #")}) is up: the new key did not authenticate` };
  return { ok: false, detail: "the only new IKE SA was established before the switch" };
}
